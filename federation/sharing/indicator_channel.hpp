// SPDX-License-Identifier: EUPL-1.2
#pragma once
// How the `vigie serve` workers of one deployment share the indicators each imported, so
// that all of them match the same set (indicators.share_over_nats). ServeIndicators owns
// this interface; a transport implements it (service/nats/nats_indicator_channel.hpp) and
// app/ hands one to ServeIndicators. Nothing here knows the transport.
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace vigie {

class IndicatorChannel {
  public:
    // What another worker imported: (its source peer, a JSON array of STIX objects).
    // Called on one thread of the channel's, for every worker's update but this one's.
    using Receiver = std::function<void(const std::string& source, const std::string& objects)>;

    virtual ~IndicatorChannel() = default;
    // Sends the objects this worker imported from `source` to the others. False when they
    // could not be sent (the channel says why in the log): they are still matched here.
    virtual bool publish(const std::string& source, const std::vector<std::string>& objects) = 0;
};

// Opens a channel delivering to `receive` until it is destroyed. May throw
// std::runtime_error (a start-up failure), or its own start-up-stopped exception, which
// passes through ServeIndicators' constructor to its caller.
using IndicatorChannelOpener =
    std::function<std::unique_ptr<IndicatorChannel>(IndicatorChannel::Receiver receive)>;

}  // namespace vigie
