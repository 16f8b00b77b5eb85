"""LDAP / Active Directory: the members of linked groups become the members of their teams."""
