"""The example's accounting page: Thred's widget showing the user's own merchant."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from sales.embed import merchant_of


@login_required(login_url="/admin/login/")
def accounting(request: HttpRequest) -> HttpResponse:
    return render(request, "sales/accounting.html", {"merchant": merchant_of(request)})
