// The storage service's messages, by concern: uploads (storage_upload_messages.h), reads
// (storage_read_messages.h) and the owner's controls (storage_control_messages.h).
// Part of messages.h; see there for the conventions.
#pragma once

#include "common/protocol/storage_control_messages.h"
#include "common/protocol/storage_read_messages.h"
#include "common/protocol/storage_upload_messages.h"
