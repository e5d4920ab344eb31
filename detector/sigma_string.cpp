// SPDX-License-Identifier: EUPL-1.2
#include "detector/sigma_string.hpp"

namespace vigie {

SigmaString SigmaString::parse(std::string_view raw) {
    SigmaString out;
    for (size_t i = 0; i < raw.size(); ++i) {
        char c = raw[i];
        if (c == '\\' && i + 1 < raw.size()) {
            char next = raw[i + 1];
            if (next == '*' || next == '?' || next == '\\') {
                out.append_literal(std::string_view(&raw[i + 1], 1));
                ++i;
                continue;
            }
            out.append_literal("\\");
            continue;
        }
        if (c == '*') {
            out.append_wildcard(PartKind::AnyRun);
        } else if (c == '?') {
            out.append_wildcard(PartKind::AnyChar);
        } else {
            out.append_literal(std::string_view(&raw[i], 1));
        }
    }
    return out;
}

SigmaString SigmaString::literal(std::string_view bytes) {
    SigmaString out;
    out.append_literal(bytes);
    return out;
}

bool SigmaString::has_wildcards() const {
    for (const auto& p : parts_) {
        if (p.kind != PartKind::Literal) return true;
    }
    return false;
}

std::string SigmaString::plain() const {
    std::string out;
    for (const auto& p : parts_) out += p.text;
    return out;
}

std::string SigmaString::longest_literal() const {
    const std::string* best = nullptr;
    for (const auto& p : parts_) {
        if (p.kind == PartKind::Literal && (best == nullptr || p.text.size() > best->size())) {
            best = &p.text;
        }
    }
    return best != nullptr ? *best : std::string();
}

std::string SigmaString::to_sigma() const {
    std::string out;
    for (const auto& p : parts_) {
        if (p.kind == PartKind::AnyRun) {
            out += '*';
        } else if (p.kind == PartKind::AnyChar) {
            out += '?';
        } else {
            for (char c : p.text) {
                if (c == '*' || c == '?' || c == '\\') out += '\\';
                out += c;
            }
        }
    }
    return out;
}

void SigmaString::prepend_any_run() {
    if (!parts_.empty() && parts_.front().kind == PartKind::AnyRun) return;
    parts_.insert(parts_.begin(), Part{PartKind::AnyRun, {}});
}

void SigmaString::append_any_run() {
    append_wildcard(PartKind::AnyRun);
}

void SigmaString::append_literal(std::string_view bytes) {
    if (bytes.empty()) return;
    if (!parts_.empty() && parts_.back().kind == PartKind::Literal) {
        parts_.back().text.append(bytes);
    } else {
        parts_.push_back(Part{PartKind::Literal, std::string(bytes)});
    }
}

void SigmaString::append_wildcard(PartKind kind) {
    // Consecutive '*' mean the same as one; keeping one keeps matching linear.
    if (kind == PartKind::AnyRun && !parts_.empty() && parts_.back().kind == PartKind::AnyRun) {
        return;
    }
    parts_.push_back(Part{kind, {}});
}

}  // namespace vigie
