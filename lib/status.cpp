#include "lib/status.hpp"

namespace vireo {

const char* status_name(Status s)
{
    switch (s) {
    case Status::OK: return "ok";
    case Status::NO_MEMORY: return "out of memory";
    case Status::INVALID: return "invalid argument";
    case Status::NOT_FOUND: return "not found";
    case Status::NO_DOMAIN: return "no such domain";
    case Status::PERMISSION: return "not permitted";
    case Status::ACCESS: return "access denied";
    case Status::BUSY: return "busy";
    case Status::EXISTS: return "exists";
    case Status::RANGE: return "out of range";
    case Status::NOT_SUPPORTED: return "not supported";
    case Status::AGAIN: return "try again";
    case Status::FAULT: return "bad address";
    case Status::RESTART: return "restart";
    case Status::TOO_BIG: return "too big";
    }
    return "?";
}

}  // namespace vireo
