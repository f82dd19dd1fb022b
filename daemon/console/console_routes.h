// The staff web console: static files compiled into mamorid, served with a strict
// Content-Security-Policy. `/` and the console's own page paths answer index.html (the script
// routes on the client); `/assets/<version>/<file>` answers the files with a strong ETag.
#pragma once

#include <string_view>

#include "daemon/http/router.h"

namespace mamori::console {

// Page paths the console routes on the client; each answers index.html.
inline constexpr std::string_view kPagePaths[] = {
    "/", "/login", "/incidents/:id", "/accounts", "/rumours", "/compliance", "/changes"};

// The Content-Security-Policy every console response carries: nothing inline, nothing from
// elsewhere (untrusted platform text can never become script or style).
inline constexpr std::string_view kContentSecurityPolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; manifest-src 'self'; frame-ancestors 'none'; "
    "base-uri 'none'; form-action 'self'";

void register_console_routes(http::Router& router);

// The handlers behind the routes, for tests: index.html for a page path, and an asset.
http::Response console_page(const http::Request& request);
http::Response console_asset(const http::Request& request, std::string_view version,
                             std::string_view name);

}  // namespace mamori::console
