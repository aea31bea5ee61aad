"""Accounts: who may do what.

Organizations and their members, platform roles, passwords (changed by their owners only),
two-factor and step-up, log-in throttling, client addresses, and permissions.py, the only way
to organization-owned objects.

May import: assessments.models, attestations.audit (changes are audited), Django.
Never imports the web layer (assessments.views, .forms, .urls) or the other domains' rules.
"""
