// SPDX-License-Identifier: EUPL-1.2
#pragma once
// Cursor files: one small file per cursor (forwarding output) in the spool directory,
// <name>.cursor, holding the SpoolPosition the output has delivered up to, as the text
// "<segment> <offset>\n". A commit replaces the file atomically (write a temporary, fsync,
// rename, fsync the directory), so after a crash a cursor is either the old position or
// the new one, never a torn mix.
#include <optional>
#include <string>
#include <string_view>

#include "delivery/spool/alert_spool.hpp"

namespace vigie::spool {

inline constexpr std::string_view kCursorSuffix = ".cursor";

// Output names come from the configuration: any byte outside [A-Za-z0-9_-] is written as
// %XX so that a name can neither leave the directory nor collide with a segment file.
std::string cursor_file_name(std::string_view cursor);
// The cursor a file name belongs to, nullopt for any other file.
std::optional<std::string> parse_cursor_file_name(std::string_view file_name);

std::string format_cursor(SpoolPosition position);
// Strict: exactly "<digits> <digits>\n"; nullopt for anything else (a parser of disk bytes).
std::optional<SpoolPosition> parse_cursor(std::string_view text);

// Writes the cursor file durably; 0 or an errno value.
int write_cursor_file(int dir_fd, std::string_view cursor, SpoolPosition position);
// The cursor file's content (at most a small bound), nullopt when it does not exist or
// cannot be read.
std::optional<std::string> read_cursor_file(int dir_fd, std::string_view cursor);
int sync_directory(int dir_fd);

}  // namespace vigie::spool
