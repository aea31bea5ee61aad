"""Attestations: what a signatory signed, and how anyone checks it.

The canonical JSON and snapshot, the PDF report and its signature, the credential and status
lists, what an attestation means today, verification, and the audit trail with its signed
checkpoints. canonical.py and charts.py are pure.

May import: assessments (models, answers), questionnaires, accounts.actors and .permissions (a
report goes only to who may see it), integrations.webhooks (expiry events),
compliance_portal.task_queue. Never imports the web layer.
"""
