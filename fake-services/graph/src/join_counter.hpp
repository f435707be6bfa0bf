#pragma once
// Waits for parallel branches (Boost 1.74 has no parallel_group): the waiter holds one count
// and each branch one more; whoever drops the count to zero resumes the waiter.

#include <utility>  // before asio's awaitable.hpp (Boost 1.74)

#include <atomic>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cstddef>
#include <memory>
#include <type_traits>

namespace tracebench::services {

class join_counter {
 public:
  // Before starting a branch.
  void add() noexcept { pending_.fetch_add(1, std::memory_order_relaxed); }
  // A branch finished. It must not touch the counter afterwards: the waiter may be gone.
  void arrive() noexcept {
    if (pending_.fetch_sub(1, std::memory_order_acq_rel) == 1) resume();
  }
  // Suspends until every added branch arrived. Call once, after the last add().
  [[nodiscard]] boost::asio::awaitable<void> wait() {
    return boost::asio::async_initiate<const boost::asio::use_awaitable_t<>&, void()>(
        [this](auto handler) {
          waiter_ = std::make_unique<holder<std::decay_t<decltype(handler)>>>(std::move(handler));
          arrive();
        },
        boost::asio::use_awaitable);
  }

 private:
  struct waiter {
    virtual ~waiter() = default;
    virtual void post() = 0;
  };
  template <typename Handler>
  struct holder final : waiter {
    explicit holder(Handler&& h) : handler(std::move(h)) {}
    void post() override {
      auto executor = boost::asio::get_associated_executor(handler);
      boost::asio::post(executor, std::move(handler));
    }
    Handler handler;
  };
  void resume() noexcept {
    std::unique_ptr<waiter> w = std::move(waiter_);  // *this may be destroyed once posted
    w->post();
  }

  std::atomic<std::size_t> pending_{1};  // the waiter's own count
  std::unique_ptr<waiter> waiter_;
};

}  // namespace tracebench::services
