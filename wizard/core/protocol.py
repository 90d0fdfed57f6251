"""What the protocol fixes, defined once for the whole core: the URL a device asks, the model
families it names, the document's versions, and the two ways a domain can publish it.

Sources: Apple, "Implementing the simple authentication account-driven enrollment flow" and
the discovery document's schema; see the README's facts.
"""

from __future__ import annotations

from typing import Literal

WELL_KNOWN_PATH = "/.well-known/com.apple.remotemanagement"
# The same path as a relative file name, where Self-Host publishes the document.
DOCUMENT_PATH = WELL_KNOWN_PATH.lstrip("/")

# The `model-family` values a device sends (Apple's list), and the ones an iOS/iPadOS-only MDM
# enrolls.
MODEL_FAMILIES = ("AppleTV", "iPad", "iPhone", "Mac", "RealityDevice", "Watch")
IOS_FAMILIES = ("iPhone", "iPad")

# The document's `Version`: user enrollment (personal devices) or account-driven device
# enrollment.
USER_ENROLLMENT = "mdm-byod"
DEVICE_ENROLLMENT = "mdm-adde"
KNOWN_VERSIONS = (USER_ENROLLMENT, DEVICE_ENROLLMENT)
Enrollment = Literal["user", "device"]

# Redirect to the MDM's discovery URL, or host the document on the domain itself.
Method = Literal["redirect", "self-host"]
METHODS: tuple[Method, ...] = ("redirect", "self-host")

# The body of a deliberate refusal (iOS 17.5+): HTTP 403 with this `code`.
WELL_KNOWN_FAILED = "com.apple.well-known.failed"
