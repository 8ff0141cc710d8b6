// The FakeBroker test helper itself: a fixture that owns one and hands requests to
// its own virtual function is still under construction while the broker's thread
// already runs.
#include "tests/client/fake_broker.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

namespace imgshare::testing {
namespace {

// As FakeBrokerCommandTest: the broker is a member of a base whose answer() a derived
// fixture supplies. Until the base's constructor ends, a call of answer() through `this`
// reaches the base's own (there: pure virtual, "pure virtual method called" in CI once).
class BrokerOwner {
  public:
    virtual ~BrokerOwner() { broker_.stop(); }
    // Pure in FakeBrokerCommandTest; here it says when it was reached too early.
    virtual std::vector<Frames> answer(const Frames&) {
        reached_before_constructed_ = true;
        return {};
    }
    std::atomic<bool> reached_before_constructed_{false};

  protected:
    FakeBroker broker_{[this](const Frames& request) { return answer(request); }};

  private:
    // Holds the base's construction open across several of the broker's 20 ms polls (a
    // loaded machine once did the same): a window, not a wait for a result.
    int window_ = (std::this_thread::sleep_for(std::chrono::milliseconds(150)), 0);
};

class AnsweringOwner : public BrokerOwner {
  public:
    std::vector<Frames> answer(const Frames&) override { return {}; }
};

TEST(FakeBrokerTest, NoIdleTickReachesAnOwnerStillUnderConstruction) {
    AnsweringOwner owner;
    EXPECT_FALSE(owner.reached_before_constructed_);
}

}  // namespace
}  // namespace imgshare::testing
