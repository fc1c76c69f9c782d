from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.utils.translation import gettext_lazy as _

from kaisai.accounts.models import ApiToken, User
from kaisai.core.images import ADMIN_FORMFIELD_OVERRIDES


class UserCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("nickname", "email")
        field_classes: dict = {}


class UserEditForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"
        field_classes: dict = {}


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """Django's user admin with kaisai's nickname instead of username and first/last name."""

    form = UserEditForm
    add_form = UserCreationForm
    formfield_overrides = ADMIN_FORMFIELD_OVERRIDES
    fieldsets = (
        (None, {"fields": ("nickname", "password")}),
        (
            _("Profile"),
            {
                "fields": (
                    "display_name",
                    "email",
                    "bio",
                    "avatar",
                    "x_account",
                    "github_account",
                    "website",
                    "preferred_language",
                )
            },
        ),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("nickname", "email", "usable_password", "password1", "password2"),
            },
        ),
    )
    list_display = ("nickname", "display_name", "email", "is_staff", "is_active", "date_joined")
    list_filter = ("is_staff", "is_superuser", "is_active")
    search_fields = ("nickname", "display_name", "email")
    ordering = ("nickname",)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are created by their owners (the token is shown only once); here they can be
    looked at and deleted. The hash is read-only."""

    list_display = ("prefix", "name", "user", "created_at", "last_used_at")
    search_fields = ("prefix", "name", "user__nickname")
    list_select_related = ("user",)
    readonly_fields = ("user", "prefix", "key_hash", "created_at", "last_used_at")
    fields = ("user", "name", "prefix", "key_hash", "created_at", "last_used_at")

    def has_add_permission(self, request) -> bool:
        return False
