"""Questionnaires: what is asked and how answers score.

The versioned frameworks and their loader, the policy texts they cite, the law add-ons
(regimes) and scoring. scoring.py and frameworks/schema.py are pure: they import nothing of
the portal but each other.

May import: assessments (models; answers, errors and notes for a law's choice), accounts.actors
and .permissions (a service checks who acts), attestations (policy changes flag attestations),
integrations.webhooks (policy-change events). Never imports the web layer.
"""
