"""Integrations: programs and the outside world.

The REST API (api/, which is web: it may use the questionnaire's forms), API tokens, webhooks,
the one guarded HTTP client (outbound.py), public claims read from the web, OSCAL exports and
CSV cells that are never formulas.

May import: every domain package, compliance_portal.task_queue. Only api/ imports the web
layer, and only the urls import api/.
"""
