"""Evidence files (scans of diplomas, certificates, letters) attached to findings."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, UploadFile
from fastapi.responses import Response

from fairscreen.evidence import actions, queries
from fairscreen.evidence.policy import MAX_SIZE
from fairscreen.web.api.common import errors
from fairscreen.web.deps import ActorDep, AppDep, StaffDep

router = APIRouter(tags=["evidence"])


@router.post(
    "/findings/{finding_id}/evidence",
    status_code=201,
    responses=errors(401, 403, 404, 409, 413),
)
def upload_evidence(
    finding_id: str,
    file: Annotated[UploadFile, File(description="A PDF, JPEG or PNG, at most 10 MiB.")],
    app: AppDep,
    actor: StaffDep,
) -> dict[str, Any]:
    """Attach a scan to a finding; it is stored encrypted under the case's key."""
    # One byte over the limit is enough to refuse; never read an unbounded body.
    data = file.file.read(MAX_SIZE + 1)
    return actions.do_upload_evidence(
        app.uow(), actor=actor, finding_id=finding_id, data=data
    ).as_dict()


@router.get(
    "/evidence/{evidence_id}",
    responses={**errors(401, 403, 404), 200: {"content": {"application/octet-stream": {}}}},
)
def get_evidence(evidence_id: str, app: AppDep, actor: ActorDep) -> Response:
    """The decrypted file, for staff of the case who may see personal data and the candidate."""
    content = queries.open_evidence(app.reader(), actor=actor, evidence_id=evidence_id)
    return Response(
        content.data,
        media_type=content.content_type,
        headers={
            "Content-Disposition": f'attachment; filename="{evidence_id}"',
            "Cache-Control": "no-store",
        },
    )
