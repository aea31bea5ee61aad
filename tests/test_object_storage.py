"""Evidence and reports on S3-compatible object storage, as production keeps them so that
several web and worker machines share the files: moto's S3 server on 127.0.0.1, reached
through django-storages with the production settings' own storage definition."""

import hashlib
import uuid

import boto3
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from moto.server import ThreadedMotoServer

from assessments.models import Evidence, Report
from compliance_portal.env import s3_storage
from tests.conftest import sign_now

KEYS = {"access_key": "portal-test", "secret_key": "portal-test-secret"}


@pytest.fixture(scope="module")
def s3_endpoint():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def bucket(s3_endpoint, settings):
    """A fresh private bucket as the default storage; returns a client to look inside it."""
    name = f"portal-{uuid.uuid4().hex[:12]}"
    s3 = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        region_name="us-east-1",
        aws_access_key_id=KEYS["access_key"],
        aws_secret_access_key=KEYS["secret_key"],
    )
    s3.create_bucket(Bucket=name)
    settings.STORAGES = settings.STORAGES | {
        "default": s3_storage(bucket=name, endpoint_url=s3_endpoint, region="us-east-1", **KEYS)
    }
    return s3, name


def stored(s3, name) -> dict[str, bytes]:
    listing = s3.list_objects_v2(Bucket=name).get("Contents", [])
    return {o["Key"]: s3.get_object(Bucket=name, Key=o["Key"])["Body"].read() for o in listing}


def test_evidence_is_kept_in_the_bucket_privately_and_comes_back_intact(
    client, draft, preparer, outsider, bucket
):
    s3, name = bucket
    content = b"%PDF-1.4 the design of our age gate"
    client.force_login(preparer)
    client.post(
        reverse("section", args=[draft.pk, "age_assurance"]),
        {"evfile_age__evidence": SimpleUploadedFile("age gate.pdf", content), "stay": "1"},
    )
    item = Evidence.objects.get()
    assert stored(s3, name) == {item.file.name: content}
    acl = s3.get_object_acl(Bucket=name, Key=item.file.name)
    assert all("AllUsers" not in str(grant["Grantee"]) for grant in acl["Grants"])
    response = client.get(reverse("evidence_file", args=[item.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == content
    client.force_login(outsider)
    assert client.get(reverse("evidence_file", args=[item.pk])).status_code == 404


def test_a_signed_report_is_rendered_into_the_bucket_and_downloaded_from_it(
    client, awaiting_signature, signatory, committed, bucket
):
    s3, name = bucket
    with committed():  # the report is rendered by a task once the signature is committed
        attestation = sign_now(awaiting_signature, signatory)
    report = Report.objects.get(attestation=attestation)
    objects = stored(s3, name)
    # The report, and the audit trail's checkpoint written when it was signed.
    assert {key.split("/")[0] for key in objects} == {"reports", "audit-checkpoints"}
    assert hashlib.sha256(objects[report.file.name]).hexdigest() == report.sha256
    client.force_login(signatory)
    response = client.get(reverse("report_download", args=[attestation.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == objects[report.file.name]
