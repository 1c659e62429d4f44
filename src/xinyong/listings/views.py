"""List-status API (名单, spec X-02; 122号 Art.16(1))."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse

from ..auth.actors import Actor
from ..core.uow import UnitOfWork
from ..deps import Principal, audit_personal_read, get_uow, optional_principal, require
from ..errors_http import error_responses
from ..rules.identifiers import free_text_for
from ..subjects.models import Subject
from ..subjects.service import get_subject
from .schemas import ListingIn, ListingOut, ListOut, RemovalIn
from .service import enter_listing, listing_out, listings_of, lists, remove_listing

router = APIRouter(prefix="/api/v1", tags=["listings 名单"])


@router.get("/lists", response_model=list[ListOut], summary="名单种类 (spec X-02)")
def list_kinds() -> list[ListOut]:
    return [ListOut(code=d.code, name=d.name, reference=d.reference, fuse=d.fuse, period_months=d.period_months,
                    period_reference=d.period_reference) for d in lists().values()]


@router.post("/listings", status_code=201, response_model=ListingOut,
             summary="列入名单：全国严重失信主体名单等 (122号 Art.16(1) 熔断; X-02)",
             responses={200: {"model": ListingOut, "description": "the same subject, list and source_ref again"},
                        **error_responses(401, 403, 409, 422)})
def post_listing(data: ListingIn, uow: UnitOfWork = Depends(get_uow),
                 actor: Actor = Depends(require("listings.manage"))) -> JSONResponse:
    row, created = enter_listing(uow, data, actor)
    if created:
        uow.audit("listing.create", f"listing:{row.id}", f"{row.list_code} {data.source_ref}")
    subject = uow.session.get(Subject, row.subject_id)
    assert subject is not None
    body = listing_out(row, subject, True, uow.clock.today())
    return JSONResponse(status_code=201 if created else 200, content=body.model_dump(mode="json"))


@router.post("/listings/{listing_id}/removal", response_model=ListingOut,
             summary="移出名单 (from removed_on on the fuse of 122号 Art.16(1) no longer fires)",
             responses=error_responses(401, 403, 404, 409, 422))
def post_removal(listing_id: int, data: RemovalIn, uow: UnitOfWork = Depends(get_uow),
                 actor: Actor = Depends(require("listings.manage"))) -> ListingOut:
    row = remove_listing(uow, listing_id, data, actor)
    uow.audit("listing.remove", f"listing:{row.id}", f"{data.removed_on} {data.reason}")
    subject = uow.session.get(Subject, row.subject_id)
    assert subject is not None
    return listing_out(row, subject, True, uow.clock.today())


@router.get("/subjects/{code}/listings", response_model=list[ListingOut], summary="评价对象的名单状态 (X-02)",
            responses=error_responses(403, 404))
def subject_listings(code: str, uow: UnitOfWork = Depends(get_uow), who: Principal = Depends(optional_principal)
                     ) -> list[ListingOut]:
    subject = get_subject(uow.session, code)
    if subject.kind == "individual" and who.may_see_personal:
        audit_personal_read(uow, who, subject.code, "listings")
    today = uow.clock.today()
    # issue 12 item 5: the decision reference and the removal reason are free text; ID numbers in them masked
    free_text = free_text_for(who.may_see_personal, who.actor.subject if who.actor is not None else None)
    return [ListingOut.model_validate(free_text(listing_out(m, subject, who.sees_personal_of(subject.code),
                                                            today).model_dump()))
            for m in listings_of(uow.session, subject.id)]
