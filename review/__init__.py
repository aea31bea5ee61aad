"""Review: the platform reviewers' work.

The queue, verdicts on answers and evidence, comments, metrics and exports.

May import: assessments, questionnaires.scoring, attestations, platform_audits (the queue shows
requests and figures), integrations.csv_cells. Never imports the web layer.
"""
