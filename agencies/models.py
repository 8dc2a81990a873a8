from django.conf import settings
from django.contrib.auth.models import AbstractUser, Group
from django.contrib.auth.models import UserManager as BaseUserManager
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.querysets import RestrictedQuerySet

from .choices import AgencyKind, RegionLevel, Role, RoutingKeyKind, RoutingKeyStatus


class RegionQuerySet(RestrictedQuerySet):
    def _restrict(self, user, action):
        # Regions are public reference data for every member; only admins change them.
        return self if action == "view" else self.none()

    def within(self, region: "Region"):
        """The region and every region below it."""
        return self.filter(path__startswith=region.path)


class Region(models.Model):
    """An administrative area: province > city > county > town/street > community.

    ``path`` holds the codes from the root down ("/330000/330100/330102/"), so "everything in
    this county" is one indexed ``startswith`` filter instead of a recursive walk.
    """

    code = models.CharField(
        _("区划代码"),
        max_length=12,
        unique=True,
        validators=[RegexValidator(r"^\d{6,12}$", _("区划代码为 6 至 12 位数字。"))],
    )
    name = models.CharField(_("名称"), max_length=100)
    level = models.PositiveSmallIntegerField(_("层级"), choices=RegionLevel.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级区划"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    population = models.PositiveIntegerField(_("常住人口"), default=0)
    path = models.CharField(max_length=255, editable=False)

    objects = RegionQuerySet.as_manager()

    class Meta:
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")
        ordering = ["path"]
        indexes = [models.Index(fields=["path"], name="region_path_like", opclasses=["varchar_pattern_ops"])]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.path = f"{self.parent.path if self.parent else '/'}{self.code}/"
        super().save(*args, **kwargs)

    def contains(self, other: "Region") -> bool:
        return other.path.startswith(self.path)


class AgencyQuerySet(RestrictedQuerySet):
    def _restrict(self, user, action):
        # The member directory is visible to every member; changes belong to the agency admin
        # of that agency (and to superusers through the admin site).
        if action == "view":
            return self
        if user.role == Role.AGENCY_ADMIN:
            return self.filter(pk=user.agency_id)
        return self.none()


class Agency(models.Model):
    """A member unit of the joint meeting: a police centre, a bank, a carrier, a community..."""

    code = models.SlugField(_("单位代码"), max_length=50, unique=True)
    name = models.CharField(_("名称"), max_length=150)
    kind = models.CharField(_("类型"), max_length=20, choices=AgencyKind.choices, db_index=True)
    region = models.ForeignKey(
        Region, verbose_name=_("服务区域"), on_delete=models.PROTECT, related_name="agencies"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    is_active = models.BooleanField(_("启用"), default=True)
    duty_contact = models.CharField(_("值班联系人"), max_length=50, blank=True)
    duty_phone = models.CharField(_("值班电话"), max_length=30, blank=True)
    # Each agency gets an auth group, so guardian can share one object with a whole agency.
    group = models.OneToOneField(
        Group, null=True, blank=True, editable=False, on_delete=models.SET_NULL, related_name="agency"
    )

    objects = AgencyQuerySet.as_manager()

    class Meta:
        verbose_name = _("成员单位")
        verbose_name_plural = _("成员单位")
        ordering = ["kind", "name"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if self.group_id is None:
            self.group, _created = Group.objects.get_or_create(name=f"agency:{self.code}")
        super().save(*args, **kwargs)

    @property
    def is_police(self) -> bool:
        from .choices import POLICE_KINDS

        return self.kind in POLICE_KINDS


class RoutingKeyQuerySet(RestrictedQuerySet):
    def _restrict(self, user, action):
        if action == "view":
            return self
        if user.role == Role.AGENCY_ADMIN:
            return self.filter(agency_id=user.agency_id)
        return self.none()


class RoutingKey(models.Model):
    """What routes a request to an agency: a card prefix, a number segment, a domain, an app.

    Written only through ``agencies.services`` (``routing_key_create`` and the rest): a key that
    overlaps another agency's stays ``pending``, ignored by routing, until an anti-fraud centre
    approves it with a reason.
    """

    agency = models.ForeignKey(
        Agency, verbose_name=_("单位"), on_delete=models.CASCADE, related_name="routing_keys"
    )
    kind = models.CharField(_("类型"), max_length=20, choices=RoutingKeyKind.choices)
    value = models.CharField(_("值"), max_length=100)
    note = models.CharField(_("备注"), max_length=100, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=RoutingKeyStatus.choices, default=RoutingKeyStatus.ACTIVE
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("审批人"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    approved_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    approval_reason = models.CharField(_("审批理由"), max_length=255, blank=True)

    objects = RoutingKeyQuerySet.as_manager()

    class Meta:
        verbose_name = _("路由键")
        verbose_name_plural = _("路由键")
        ordering = ["agency", "kind", "value"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "kind", "value"], name="uniq_routing_key")
        ]
        indexes = [models.Index(fields=["kind", "value"])]

    def __str__(self):
        return f"{self.get_kind_display()} {self.value}"


class UserQuerySet(RestrictedQuerySet):
    def _restrict(self, user, action):
        if user.agency.kind == AgencyKind.LEADERSHIP_OFFICE and action == "view":
            return self
        if action == "view" or user.role == Role.AGENCY_ADMIN:
            return self.filter(agency_id=user.agency_id)
        return self.filter(pk=user.pk)


class UserManager(BaseUserManager.from_queryset(UserQuerySet)):
    pass


class User(AbstractUser):
    """A person or an agency system's service account; belongs to one agency with one role."""

    agency = models.ForeignKey(
        Agency,
        verbose_name=_("单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices, default=Role.VIEWER)
    phone = models.CharField(_("手机"), max_length=30, blank=True)
    is_service_account = models.BooleanField(
        _("系统账号"), default=False, help_text=_("单位业务系统通过 API 令牌接入时使用。")
    )
    # Raised by the agency admin's "force logout" (agencies.services.user_force_logout): every
    # session signed with an earlier value stops matching ``get_session_auth_hash``.
    session_epoch = models.PositiveIntegerField(_("会话代次"), default=0, editable=False)

    objects = UserManager()

    class Meta(AbstractUser.Meta):
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        constraints = [
            models.CheckConstraint(
                condition=Q(agency__isnull=False) | Q(is_superuser=True),
                name="user_has_agency_unless_superuser",
            )
        ]

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "agency" not in update_fields:
            return  # e.g. the last_login update at every login
        # Keep the user in exactly their agency's group (guardian shares objects per group).
        agency_groups = self.groups.filter(name__startswith="agency:")
        wanted = self.agency.group if self.agency_id and self.agency.group_id else None
        for group in agency_groups:
            if group != wanted:
                self.groups.remove(group)
        if wanted is not None:
            self.groups.add(wanted)

    def get_session_auth_hash(self):
        """Django's hash of the password, mixed with ``session_epoch`` once a session was forced
        out: Django (and the socket consumer) compare it on every request, so raising the epoch
        ends every session of the user while the password stays as it was."""
        from django.utils.crypto import salted_hmac

        base = super().get_session_auth_hash()
        if not self.session_epoch:
            return base  # sessions made before any forced logout stay valid
        return salted_hmac("agencies.User.session_epoch", "%s:%d" % (base, self.session_epoch),
                           algorithm="sha256").hexdigest()

    @property
    def agency_kind(self) -> str | None:
        return self.agency.kind if self.agency_id else None
