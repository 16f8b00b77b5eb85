"""/api/v1/me and /api/v1/tokens: the caller and their personal API tokens."""

from __future__ import annotations

from django.http import HttpRequest
from django.views.decorators.cache import never_cache
from ninja import Router, Status
from ninja.decorators import decorate_view

from prr.accounts.schemas import TokenCreatedOut, TokenOut, UserOut
from prr.accounts.tokens import create_token, get_token, list_tokens, revoke_token
from prr.api.reviews import caller, responses
from prr.api.schemas import TokenIn
from prr.teams.queries import current_memberships

router = Router(tags=["me"])


@router.get("/me", response=responses(200, UserOut), summary="The caller")
def me(request: HttpRequest) -> UserOut:
    user = caller(request)
    teams = current_memberships().filter(user=user).values_list("team__slug", flat=True)
    return UserOut.of(user, teams)


@router.get("/tokens", response=responses(200, list[TokenOut]), summary="My tokens")
def my_tokens(request: HttpRequest) -> list[TokenOut]:
    """The caller's active tokens (never the tokens themselves)."""
    return [TokenOut.of(t) for t in list_tokens(caller(request))]


@router.post("/tokens", response=responses(201, TokenCreatedOut), summary="Create a token")
@decorate_view(never_cache)  # the secret is in the response: not to be kept by a cache
def new_token(request: HttpRequest, body: TokenIn) -> Status[TokenCreatedOut]:
    """A new token for the caller; the response is the only time it is shown."""
    user = caller(request)
    created = create_token(user, body.name, by=user)
    return Status(201, TokenCreatedOut(**TokenOut.fields_of(created.token), token=created.secret))


@router.delete("/tokens/{token_id}", response=responses(200, TokenOut), summary="Revoke")
def revoke(request: HttpRequest, token_id: int) -> TokenOut:
    """Revoke one of the caller's tokens (admins: anyone's)."""
    user = caller(request)
    return TokenOut.of(revoke_token(get_token(token_id, seen_by=user), by=user))
