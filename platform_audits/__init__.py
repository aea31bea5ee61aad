"""Platform audits: what the platform asks of organizations.

Requests with their steps as data, campaigns, and the platform's safety figures.

May import: assessments, accounts, attestations, questionnaires.scoring,
integrations.csv_cells. Never imports the web layer.
"""
