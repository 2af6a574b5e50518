"""Login, the current user, accounts and integration tokens."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Path, Request
from fastapi.security import OAuth2PasswordRequestForm
from sqlalchemy import select
from sqlalchemy.orm import Session

from yingji.auth import service, sessions, totp
from yingji.auth.models import IntegrationToken, User
from yingji.auth.permissions import ADMIN, AUTHENTICATED, Caller, enrolling_user, signed_in_user
from yingji.auth.principal import Principal
from yingji.auth.roles import ROLE_LABELS, ROLE_SCOPE, Role
from yingji.auth.schemas import (
    AuthPolicy,
    IntegrationTokenCreate,
    IntegrationTokenCreated,
    IntegrationTokenRead,
    LogoutResult,
    Me,
    PasswordChange,
    TokenResponse,
    TotpCode,
    TotpConfirmed,
    TotpEnrolment,
    UserCreate,
    UserRead,
)
from yingji.core.db import utcnow
from yingji.core.deps import get_db
from yingji.core.errors import ApiError, invalid, not_found
from yingji.core.pagination import Page, PageParams, page_params, paginate
from yingji.core.responses import TypedRoute, errors
from yingji.core.security import ENROL
from yingji.core.validators import RowId
from yingji.org import service as org

router = APIRouter(prefix="/api/v1", tags=["auth 账号"], route_class=TypedRoute)


def client_address(request: Request) -> str:
    """The peer's address as the server sees it: behind a load balancer, run uvicorn with
    ``--proxy-headers --forwarded-allow-ips=<the balancer>`` so this is the real client."""
    return request.client.host[:64] if request.client else "unknown"


@router.post("/auth/token", response_model=TokenResponse, responses=errors(401, 429))
def login(
    request: Request,
    form: OAuth2PasswordRequestForm = Depends(),
    otp: str | None = Form(
        None,
        max_length=32,
        description="动态验证码或恢复码（已绑定双因素时必填）/ TOTP or recovery code",
    ),
    db: Session = Depends(get_db),
) -> TokenResponse:
    """OAuth2 password login: ``username`` and ``password`` as a form, and ``otp`` once the
    account has two-factor login. Repeated failures slow down, then lock out (429 with
    ``Retry-After``), per account and per client address."""
    try:
        issued = sessions.login(
            db,
            username=form.username[:64],
            password=form.password,
            otp=otp,
            address=client_address(request),
            now=utcnow(),
            settings=request.app.state.settings,
        )
    except ApiError:
        db.commit()  # the failure, its audit row and any lock-out are kept
        raise
    db.commit()
    return TokenResponse(
        access_token=issued.token,
        expires_in=issued.expires_in,
        totp_enrolment_required=issued.enrolment_required,
    )


@router.post("/auth/logout", response_model=LogoutResult)
def logout(caller: Caller = Depends(signed_in_user), db: Session = Depends(get_db)) -> LogoutResult:
    """Revoke the token this request came with: its id is refused until it would expire."""
    expires_at = sessions.revoke(db, caller.claims, user=caller.user, now=utcnow())
    db.commit()
    service.forget_token(caller.token)
    return LogoutResult(expires_at=expires_at)


@router.post("/auth/password", response_model=Me)
def change_password(
    body: PasswordChange, caller: Caller = Depends(signed_in_user), db: Session = Depends(get_db)
) -> Me:
    """Change one's own password (the new one follows the password policy)."""
    service.change_password(
        db,
        caller.user,
        current=body.current_password,
        new=body.new_password,
        actor=sessions.user_actor(caller.user),
    )
    db.commit()
    return _me(db, caller.user)


@router.post("/auth/totp/enrol", response_model=TotpEnrolment, responses=errors(409))
def totp_enrol(
    request: Request, caller: Caller = Depends(enrolling_user), db: Session = Depends(get_db)
) -> TotpEnrolment:
    """Start two-factor enrolment: a new secret and its ``otpauth://`` URI for the QR code."""
    secret, uri = sessions.start_enrolment(
        db, caller.user, issuer=request.app.state.settings.totp_issuer
    )
    db.commit()
    return TotpEnrolment(secret=secret, otpauth_uri=uri, qr_svg=totp.qr_data_uri(uri))


@router.post("/auth/totp/confirm", response_model=TotpConfirmed, responses=errors(409))
def totp_confirm(
    request: Request,
    body: TotpCode,
    caller: Caller = Depends(enrolling_user),
    db: Session = Depends(get_db),
) -> TotpConfirmed:
    """Finish enrolment with a code from the authenticator; answers the recovery codes
    (once) and, when the caller came with an enrolment-only token, the full login token."""
    codes = sessions.confirm_enrolment(db, caller.user, body.code, now=utcnow())
    result = TotpConfirmed(recovery_codes=codes)
    if caller.claims.get("typ") == ENROL:
        issued = sessions.issue(
            db,
            caller.user,
            address=client_address(request),
            how="password+totp_enrolment",
            settings=request.app.state.settings,
        )
        result.access_token = issued.token
        result.expires_in = issued.expires_in
    db.commit()
    return result


@router.get("/auth/policy", response_model=AuthPolicy)
def get_policy(_: Principal = Depends(ADMIN), db: Session = Depends(get_db)) -> AuthPolicy:
    """The roles whose accounts must log in with a second factor."""
    return AuthPolicy(totp_required_roles=sorted(sessions.required_roles(db)))


@router.put("/auth/policy", response_model=AuthPolicy)
def put_policy(
    body: AuthPolicy, principal: Principal = Depends(ADMIN), db: Session = Depends(get_db)
) -> AuthPolicy:
    """Require (or stop requiring) two-factor login per role; 等保三级 expects it at least of
    administrators and commanders. Accounts without one enrol at their next login."""
    roles = sessions.set_required_roles(
        db, set(body.totp_required_roles), actor=principal.actor, now=utcnow()
    )
    db.commit()
    return AuthPolicy(totp_required_roles=sorted(roles))


@router.delete("/users/{user_id}/totp", response_model=UserRead, responses=errors(404))
def reset_totp(
    user_id: int = Path(ge=1, le=2**63 - 1),
    principal: Principal = Depends(ADMIN),
    db: Session = Depends(get_db),
) -> UserRead:
    """Reset a user's second factor (a lost phone): they enrol again at their next login."""
    user = db.get(User, user_id)
    if user is None or not sessions.reset_second_factor(db, user, actor=principal.actor):
        raise not_found("双因素认证", "Two-factor enrolment", field="user_id")
    db.commit()
    return UserRead.model_validate(user)


def _me(db: Session, user: User) -> Me:
    zh, en = ROLE_LABELS[Role(user.role)]
    return Me.model_validate(
        {
            **UserRead.model_validate(user).model_dump(),
            "role_label": zh,
            "role_label_en": en,
            "totp_enabled": sessions.has_second_factor(db, user.id),
            "totp_required": Role(user.role) in sessions.required_roles(db),
        }
    )


@router.get("/auth/me", response_model=Me, responses=errors(404))
def me(principal: Principal = Depends(AUTHENTICATED), db: Session = Depends(get_db)) -> Me:
    user = db.get(User, principal.id)
    if user is None:
        raise not_found("用户", "User")
    return _me(db, user)


@router.get("/users", response_model=Page[UserRead])
def list_users(
    params: PageParams = Depends(page_params),
    _: Principal = Depends(ADMIN),
    db: Session = Depends(get_db),
) -> Page[UserRead]:
    rows, total = paginate(db, select(User).order_by(User.id), params)
    return Page(
        items=[UserRead.model_validate(u) for u in rows],
        total=total,
        limit=params.limit,
        offset=params.offset,
    )


@router.post("/users", response_model=UserRead, status_code=201, responses=errors(409))
def create_user(
    body: UserCreate, principal: Principal = Depends(ADMIN), db: Session = Depends(get_db)
) -> UserRead:
    known = org.scope_codes(db).get(ROLE_SCOPE[body.role].value)
    user = service.create_user(
        db,
        username=body.username,
        password=body.password,
        role=body.role,
        scope_code=body.scope_code,
        known_scope_codes=known,
        actor=principal.actor,
        display_name=body.display_name,
        phone=body.phone,
    )
    db.commit()
    return UserRead.model_validate(user)


@router.get("/integration-tokens", response_model=list[IntegrationTokenRead])
def list_tokens(
    _: Principal = Depends(ADMIN), db: Session = Depends(get_db)
) -> list[IntegrationTokenRead]:
    rows = db.scalars(select(IntegrationToken).order_by(IntegrationToken.id))
    return [IntegrationTokenRead.model_validate(t) for t in rows]


@router.post("/integration-tokens", response_model=IntegrationTokenCreated, status_code=201)
def create_token(
    body: IntegrationTokenCreate,
    principal: Principal = Depends(ADMIN),
    db: Session = Depends(get_db),
) -> IntegrationTokenCreated:
    """A token for a machine channel; the plain value is in this answer only."""
    if (
        body.scope_type != "enterprise"
        and body.scope_code is not None
        and body.scope_code not in org.scope_codes(db)["subdistrict"]
    ):
        raise invalid("scope_code", "未知的街道代码", "Unknown sub-district code", "unknown_scope")
    token, plain = service.create_integration_token(
        db,
        name=body.name,
        channels=body.channels,
        actor=principal.actor,
        created_by=principal.id,
        scope_code=body.scope_code,
        scope_type=body.scope_type,
    )
    db.commit()
    return IntegrationTokenCreated.model_validate(
        {**IntegrationTokenRead.model_validate(token).model_dump(), "token": plain}
    )


@router.delete(
    "/integration-tokens/{token_id}", response_model=IntegrationTokenRead, responses=errors(404)
)
def revoke_token(
    token_id: RowId, principal: Principal = Depends(ADMIN), db: Session = Depends(get_db)
) -> IntegrationTokenRead:
    token = service.revoke_integration_token(db, token_id, actor=principal.actor, now=utcnow())
    if token is None:
        raise not_found("集成令牌", "Integration token", field="token_id")
    db.commit()
    return IntegrationTokenRead.model_validate(token)
