"""The host side of the embed tests: which shop each user belongs to."""

from tests.testapp import models as m

MEMBERS: dict[int, int | None] = {}


def shop_of(request):
    """Returns the Shop instance (as hosts usually do)."""
    shop_pk = MEMBERS.get(request.user.pk)
    return None if shop_pk is None else m.Shop.objects.get(pk=shop_pk)


def shop_pk_of(request):
    """Returns the pk only."""
    return MEMBERS.get(request.user.pk)


def wrong_model(request):
    return m.Client.objects.first()


def staff_only(request):
    """Single-business mode: True for a user who may see the books."""
    return request.user.is_staff
