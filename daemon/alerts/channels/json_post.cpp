#include "daemon/alerts/channels/json_post.h"

#include "daemon/alerts/channels/message_text.h"

namespace mamori::alerts::channels {

void post(collectors::HttpClient& http, PostSpec spec, std::function<void(DeliveryResult)> done) {
  collectors::HttpRequest request;
  request.method = "POST";
  request.url = std::move(spec.url);
  request.headers = std::move(spec.headers);
  request.headers.emplace_back("Content-Type", spec.content_type);
  request.body = std::move(spec.body);
  request.timeout = spec.timeout;
  // Receivers answer with a word or a small JSON document.
  request.max_response_bytes = 64 * 1024;
  request.platform = "alerts";
  request.endpoint = std::move(spec.endpoint);
  http.fetch(std::move(request),
             [service = std::move(spec.service), redacted = std::move(spec.redacted),
              hint = spec.body_hint, done = std::move(done)](collectors::HttpResponse response) {
               DeliveryResult r = result_from_http(response, service, redacted);
               if (hint && !r.delivered && r.status != 0) {
                 const std::string word = short_error_word(response.body);
                 if (!word.empty()) r.detail += " [" + word + "]";
               }
               done(std::move(r));
             });
}

}  // namespace mamori::alerts::channels
