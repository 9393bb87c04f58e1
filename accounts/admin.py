"""Two-factor login and the Django admin.

The admin's login must not be a way around the second login step: accounts with two-factor login on
are refused there and log in on the dashboard's login page (password, then code), then open the admin.

django-otp's own admins of devices are taken out: they list every user's devices whatever the
company, and hold the secrets. A user who lost their phone uses a recovery code; an operator can turn
two-factor login off for a user with `manage.py shell` (accounts.services.two_factor_disable needs a
code or the password, so they delete the user's devices instead).
"""

from django.contrib import admin
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.forms import SecondStepAwareAdminAuthenticationForm

admin.site.login_form = SecondStepAwareAdminAuthenticationForm

for model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(model):
        admin.site.unregister(model)
