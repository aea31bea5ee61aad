"""The portal's one Django app: every table, the web layer, and the assessments domain.

- models/: every table of the portal, one module per domain (organizations, frameworks,
  assessments, attestations, reviews, platform_audits, webhooks, api, probes, ...), under this
  one app label: moving a table to another app takes state-only migrations on a live
  database and tells a reader nothing the module's name does not.
- The assessments domain: answers.py (answers and their revisions), evidence.py (files and
  links, with the reviewer's verdicts), workbooks.py, lifecycle.py (the state table: which
  step, by whom, needing what), workflow.py (the audited state changes), carryover.py,
  approval.py (what an approval needs first), products.py, prompt_check.py.
- The web layer of every domain: views/ (views/fragments.py keeps drawn pieces of busy pages
  in the cache), forms/, urls.py, templatetags/, middleware.py, admin.py and the management
  commands (Django finds commands in apps only).

May import: models/ nothing of the portal but questionnaires.frameworks.schema (pure); the
domain modules models/, accounts, questionnaires, attestations, platform_audits and
integrations (webhooks, the guarded HTTP client), never the web layer (but workbooks.py, whose
answers typed in a spreadsheet pass the questionnaire's own form, as the page's and the API's
do; only web code uses it); the web layer every package.
"""
