// SPDX-License-Identifier: EUPL-1.2
#pragma once
// federation/sharing's IndicatorChannel over NATS JetStream: the workers' indicator
// updates on the VIGIE_INDICATORS stream, subject vigie.indicators (IndicatorExchange).
#include "core/logger.hpp"
#include "federation/sharing/indicator_channel.hpp"
#include "service/nats/jetstream_setup.hpp"

namespace vigie {

// Opens the exchange on `nats` when ServeIndicators asks for its channel; that waits for
// NATS as the input does, and may throw std::runtime_error or NatsStartupStopped.
// `nats` and `log` must outlive the channels opened.
IndicatorChannelOpener nats_indicator_channel(const NatsSettings& nats, Logger& log);

}  // namespace vigie
