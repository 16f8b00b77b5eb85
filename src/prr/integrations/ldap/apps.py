from __future__ import annotations

from django.apps import AppConfig


class LdapConfig(AppConfig):
    name = "prr.integrations.ldap"
    label = "ldap"
    verbose_name = "LDAP / Active Directory sync"
