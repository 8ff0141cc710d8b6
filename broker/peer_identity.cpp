#include "broker/peer_identity.h"

namespace imgshare::broker {

bool is_anonymous(std::string_view user_id) {
    return user_id.empty() || user_id.starts_with("anon:") || user_id.starts_with("unknown:") ||
           user_id.starts_with("service:");
}

}  // namespace imgshare::broker
