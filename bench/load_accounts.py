"""Give bench preparers passwords and list their drafts for the load test (bench/load.sh)."""

import json
import sys
from pathlib import Path

import django

django.setup()

from assessments.models import Assessment, Status, User

PASSWORD = "bench-password-2026"  # noqa: S105 - bench data only
count = int(sys.argv[1])
drafts = list(Assessment.objects.filter(status=Status.DRAFT).select_related("created_by")[:count])
for draft in drafts:
    draft.created_by.set_password(PASSWORD)
User.objects.bulk_update([d.created_by for d in drafts], ["password"])
reviewable = Assessment.objects.filter(status=Status.SUBMITTED).values_list("pk", flat=True)
accounts = {
    "password": PASSWORD,
    "reviewer": "reviewer@bench.example",
    "preparers": [{"email": d.created_by.email, "assessment": str(d.pk)} for d in drafts],
    "reviewable": [str(pk) for pk in reviewable[:200]],
}
Path("var/load-accounts.json").write_text(json.dumps(accounts))
print(f"{len(drafts)} preparer accounts ready")
