#include "alerts/alert_sink.hpp"

#include "alerts/json_text.hpp"

namespace vigie {

namespace {
constexpr size_t kFlushBytes = 1 << 16;
}

void JsonlAlertSink::write(const Alert& a) {
    std::string& b = buffer_;
    b += R"({"rule":{"id":)";
    append_json_string(b, a.rule.id);
    b += R"(,"title":)";
    append_json_string(b, a.rule.title);
    b += R"(,"level":)";
    append_json_string(b, level_name(a.rule.level));
    b += R"(,"status":)";
    append_json_string(b, a.rule.status);
    b += R"(,"tags":[)";
    for (size_t i = 0; i < a.rule.tags.size(); ++i) {
        if (i > 0) b += ',';
        append_json_string(b, a.rule.tags[i]);
    }
    b += R"(]},"source":{"file":)";
    append_json_string(b, a.source_file);
    b += R"(,"index":)" + std::to_string(a.index) + R"(,"line":)" + std::to_string(a.line);
    b += R"(},"event":)";
    append_minified_json(b, a.event);
    b += "}\n";
    if (b.size() >= kFlushBytes) flush();
}

void JsonlAlertSink::flush() {
    std::fwrite(buffer_.data(), 1, buffer_.size(), out_);
    std::fflush(out_);
    buffer_.clear();
}

void TableAlertSink::write(const Alert& a) {
    if (!header_written_) {
        std::fprintf(out_, "%-13s %-64s %-36s %s\n", "LEVEL", "RULE", "RULE ID", "SOURCE");
        header_written_ = true;
    }
    std::string title = a.rule.title.size() > 64 ? a.rule.title.substr(0, 61) + "..." : a.rule.title;
    std::fprintf(out_, "%-13s %-64s %-36s %.*s:%llu (#%llu)\n", std::string(level_name(a.rule.level)).c_str(),
                 title.c_str(), a.rule.id.c_str(), static_cast<int>(a.source_file.size()), a.source_file.data(),
                 static_cast<unsigned long long>(a.line), static_cast<unsigned long long>(a.index));
}

void TableAlertSink::flush() { std::fflush(out_); }

}  // namespace vigie
