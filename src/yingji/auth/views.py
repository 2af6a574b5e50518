"""Login, the current user, accounts and integration tokens."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.security import OAuth2PasswordRequestForm
from sqlalchemy import select
from sqlalchemy.orm import Session

from yingji.auth import service
from yingji.auth.models import IntegrationToken, User
from yingji.auth.permissions import ADMIN, AUTHENTICATED
from yingji.auth.principal import Principal
from yingji.auth.roles import ROLE_LABELS, ROLE_SCOPE, Role
from yingji.auth.schemas import (
    IntegrationTokenCreate,
    IntegrationTokenCreated,
    IntegrationTokenRead,
    Me,
    TokenResponse,
    UserCreate,
    UserRead,
)
from yingji.core.db import utcnow
from yingji.core.deps import get_db
from yingji.core.errors import ApiError, not_found
from yingji.core.pagination import Page, PageParams, page_params, paginate
from yingji.core.responses import TypedRoute
from yingji.core.security import create_access_token
from yingji.org import service as org

router = APIRouter(prefix="/api/v1", tags=["auth 账号"], route_class=TypedRoute)


@router.post("/auth/token", response_model=TokenResponse)
def login(
    request: Request,
    form: OAuth2PasswordRequestForm = Depends(),
    db: Session = Depends(get_db),
) -> TokenResponse:
    """OAuth2 password login: ``username`` and ``password`` as a form."""
    user = service.authenticate(db, form.username, form.password)
    if user is None:
        raise ApiError(
            401,
            "bad_credentials",
            "用户名或密码错误",
            "Wrong username or password",
            headers={"WWW-Authenticate": "Bearer"},
        )
    settings = request.app.state.settings
    token = create_access_token(
        str(user.id), settings.resolved_secret_key(), settings.access_token_ttl_s
    )
    return TokenResponse(access_token=token, expires_in=settings.access_token_ttl_s)


@router.get("/auth/me", response_model=Me)
def me(principal: Principal = Depends(AUTHENTICATED), db: Session = Depends(get_db)) -> Me:
    user = db.get(User, principal.id)
    if user is None:
        raise not_found("用户", "User")
    zh, en = ROLE_LABELS[Role(user.role)]
    return Me.model_validate(
        {**UserRead.model_validate(user).model_dump(), "role_label": zh, "role_label_en": en}
    )


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


@router.post("/users", response_model=UserRead, status_code=201)
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
    if body.scope_code is not None and body.scope_code not in org.scope_codes(db)["subdistrict"]:
        raise ApiError(
            422, "unknown_scope", "未知的街道代码", "Unknown sub-district code", field="scope_code"
        )
    token, plain = service.create_integration_token(
        db,
        name=body.name,
        channels=body.channels,
        actor=principal.actor,
        created_by=principal.id,
        scope_code=body.scope_code,
    )
    db.commit()
    return IntegrationTokenCreated.model_validate(
        {**IntegrationTokenRead.model_validate(token).model_dump(), "token": plain}
    )


@router.delete("/integration-tokens/{token_id}", response_model=IntegrationTokenRead)
def revoke_token(
    token_id: int, principal: Principal = Depends(ADMIN), db: Session = Depends(get_db)
) -> IntegrationTokenRead:
    token = service.revoke_integration_token(db, token_id, actor=principal.actor, now=utcnow())
    if token is None:
        raise not_found("集成令牌", "Integration token", field="token_id")
    db.commit()
    return IntegrationTokenRead.model_validate(token)
