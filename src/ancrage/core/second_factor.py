"""The second step of signing in for staff who can read identities (django-otp, TOTP).

Who: anyone who holds `clients.identity` in an organization (intake and community workers,
directors) and superusers. After the password, their session reaches no page but the public ones
until they type the six-digit code of an authenticator app (FreeOTP, Google Authenticator,
Aegis…); the first time, they link the app by scanning a QR code. Everyone else signs in with the
password alone. A lost phone: an administrator removes the device in Django's admin (OTP devices)
and the person links a new one at the next sign-in.

Codes are accepted once (django-otp remembers the last time step used), failures slow further
tries down (1, 2, 4, … seconds), and linking and each verification are audited.
"""

from __future__ import annotations

import time
from base64 import b32encode
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import django_otp
import segno
from django.db import transaction
from django.http import HttpRequest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from ancrage.core import tenancy
from ancrage.core.audit import audit_record

DEVICE_NAME = "Ancrage"


def needs_second_factor(user: Any) -> bool:
    """Whether this person must type a code after the password: they can read identities."""
    return bool(
        user is not None
        and user.is_authenticated
        and (user.is_superuser or tenancy.has_capability(user, tenancy.READ_IDENTITY))
    )


def is_verified(request: HttpRequest) -> bool:
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated and user.is_verified())


def confirmed_device(user: Any) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def device_to_link(user: Any) -> TOTPDevice:
    """The app the person is linking: the same secret until they confirm it with a code."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)


def secret_in_groups(device: TOTPDevice) -> str:
    """The secret as typed into an app by hand: base32, in groups of four."""
    secret = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_code_svg(device: TOTPDevice) -> str:
    """The `otpauth://` address as an inline SVG QR code (no image request, no outside service)."""
    return segno.make(device.config_url, error="m").svg_inline(
        scale=5, light="#fff", title="QR code"
    )


@dataclass(frozen=True)
class Attempt:
    accepted: bool
    retry_at: datetime | None = None  # too many failures: not before this moment


def _throttled(device: TOTPDevice) -> Attempt | None:
    allowed, data = device.verify_is_allowed()
    if allowed:
        return None
    return Attempt(False, (data or {}).get("locked_until"))


def _normalized(code: str) -> str:
    return "".join(code.split())[:16]


@transaction.atomic
def second_factor_verify(*, request: HttpRequest, device: TOTPDevice, code: str) -> Attempt:
    """Check a code against the person's device; if right, the session is verified.

    Linking is the same call on the unconfirmed device: the right code confirms it (and any
    other device the person had is removed: one app at a time).
    """
    device = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=request.user)
    throttled = _throttled(device)
    if throttled is not None:
        return throttled
    if not device.verify_token(_normalized(code)):
        return Attempt(False)
    linking = not device.confirmed
    if linking:
        TOTPDevice.objects.filter(user=request.user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
    django_otp.login(request, device)
    request.session.cycle_key()  # a new session id for the fully signed-in session
    audit_record(
        actor=request.user,
        action="create" if linking else "view",
        target=device,
        reason="second factor linked" if linking else "second factor verified",
        request=request,
    )
    return Attempt(True)


def current_code(device: TOTPDevice) -> str:
    """The code the app shows now (the next one if this one was just used: a code is good once).

    For the demonstration's accounts, which have no phone, and for the tests.
    """
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = max(time.time(), (device.last_t + 1) * device.step + device.t0)
    return f"{totp.token():0{device.digits}d}"


def force_sign_in(client: Any, user: Any) -> None:
    """Sign Django's test client in as `user`, both steps, without the forms: what
    `Client.force_login` is to the password, for the benchmarks and the tests. An app is linked
    to the account if none is."""
    client.force_login(user)
    device = confirmed_device(user) or TOTPDevice.objects.create(
        user=user, name=DEVICE_NAME, confirmed=True
    )
    session = client.session
    session[django_otp.DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
