// SPDX-License-Identifier: EUPL-1.2
#include "service/nats/nats_indicator_channel.hpp"

#include "service/nats/indicator_exchange.hpp"

namespace vigie {

namespace {

class NatsIndicatorChannel final : public IndicatorChannel {
  public:
    NatsIndicatorChannel(const NatsSettings& nats, Logger& log, Receiver receive)
        : exchange_(nats, "VIGIE_INDICATORS", "vigie.indicators", log, std::move(receive)) {}
    bool publish(const std::string& source, const std::vector<std::string>& objects) override {
        return exchange_.publish(source, objects);
    }

  private:
    IndicatorExchange exchange_;
};

}  // namespace

IndicatorChannelOpener nats_indicator_channel(const NatsSettings& nats, Logger& log) {
    return [&nats, &log](IndicatorChannel::Receiver receive) -> std::unique_ptr<IndicatorChannel> {
        return std::make_unique<NatsIndicatorChannel>(nats, log, std::move(receive));
    };
}

}  // namespace vigie
