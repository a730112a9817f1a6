"""Login, logout and changing one's own password."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.db import transaction
from django.http import HttpResponse
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from huajie.accounts.models import ApiToken, User
from huajie.audit.services import audit_record


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _("用户名或密码错误，请重新输入。注意区分大小写。"),
        "inactive": _("该账户已停用，请联系本院管理员。"),
    }


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    pass


class OwnPasswordChangeForm(PasswordChangeForm):
    """Django's form (old password, new password twice, AUTH_PASSWORD_VALIDATORS) with its
    two own messages in the site's wording."""

    error_messages = {
        "password_incorrect": _("原密码输入有误，请重新输入。"),
        "password_mismatch": _("两次输入的新密码不一致。"),
    }


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    form_class = OwnPasswordChangeForm
    success_url = reverse_lazy("accounts:password_change_done")

    def form_valid(self, form: PasswordChangeForm) -> HttpResponse:
        user: User = form.user
        with transaction.atomic():
            # Saves the new hash and keeps this session; every other session of the user
            # fails Django's session hash check from now on and is logged out.
            response = super().form_valid(form)
            # API tokens were issued against the old password: a changed password ends them too.
            revoked, _details = ApiToken.objects.filter(user=user).delete()
            court = user.court
            audit_record(
                actor=user,
                verb="account.password_change",
                obj=user,
                court_id=court.pk if court else None,
                summary=f"{user.display_name} 修改了本人密码"
                + (f"，作废接口令牌 {revoked} 个" if revoked else ""),
            )
        return response


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "accounts/password_change_done.html"
