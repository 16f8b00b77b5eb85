"""SCIM 2.0 (RFC 7643/7644) at /scim/v2/: Okta and Entra ID provision people and teams."""
