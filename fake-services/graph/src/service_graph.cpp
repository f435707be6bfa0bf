#include "tracebench/services/service_graph.hpp"

#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <condition_variable>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include "join_counter.hpp"
#include "tracebench/services/inprocess_transport.hpp"
#include "tracebench/services/work_kernel.hpp"

namespace tracebench::services {

namespace {

using tracer::instrumentation;
using tracer::propagation_context;
using tracer::span_context;
using tracer::span_token;

constexpr std::int64_t kNanosPerMilli = 1'000'000;
// Salts a call's seed for the queue delay, so the delay and the callee's own draws differ.
constexpr std::uint64_t kQueueDelaySalt = 0x71756575;

std::chrono::nanoseconds from_us(double us) noexcept {
  return std::chrono::nanoseconds(static_cast<std::int64_t>(us * 1000));
}

// I/O: a timer frees the thread for other requests while it runs.
asio::awaitable<void> wait_for_us(double us) {
  asio::steady_timer timer(co_await asio::this_coro::executor, from_us(us));
  co_await timer.async_wait(asio::use_awaitable);
}

// One outgoing call of a step, with its span name built once rather than per hop.
struct call_site {
  const call* spec = nullptr;
  std::string span_name;
};

struct service_state {
  const service* spec = nullptr;
  // Swapped by reinstrument(); every instrumentation ever installed stays in `installed` until
  // the graph goes, so a request that read the old one while it was swapped is still safe.
  std::atomic<instrumentation*> instrument{nullptr};
  std::vector<std::shared_ptr<instrumentation>> installed;  // under the graph's reinstrument_mutex
  [[nodiscard]] instrumentation& current() const noexcept { return *instrument.load(std::memory_order_acquire); }
  std::vector<std::vector<call_site>> steps;
  std::mutex batch_mutex;
  std::vector<span_context> batch;  // producer contexts of the messages not yet consumed
};

}  // namespace

struct service_graph::impl {
  impl(scenario s, graph_options o, service_host& host)
      : spec(std::move(s)), options(std::move(o)), pool(options.threads > 0 ? options.threads : 1) {
    if (!options.instrument) throw std::invalid_argument("service_graph: graph_options.instrument is required");
    if (!options.make_transport) {
      if (std::string problem = check_inprocess(spec); !problem.empty()) throw std::invalid_argument(problem);
    }
    for (const service& svc : spec.services) {
      auto state = std::make_unique<service_state>();
      state->spec = &svc;
      if (svc.external) {  // runs in its own process: no tracer, no steps here
        services.push_back(std::move(state));
        continue;
      }
      install(*state, options.instrument);
      for (const step& st : svc.steps) {
        std::vector<call_site> sites;
        for (const call& c : st.calls) {
          const service& target = spec.services[c.target];
          sites.push_back({&c, c.via == call_via::rpc ? target.operation : c.to + " publish"});
        }
        state->steps.push_back(std::move(sites));
      }
      services.push_back(std::move(state));
    }
    // Last: nothing may throw once a transport started serving on the pool.
    wire = options.make_transport ? options.make_transport(host, spec, pool.get_executor())
                                  : std::make_unique<inprocess_transport>(host);
  }

  void install(service_state& state, const instrumentation_factory& factory) {
    const service& svc = *state.spec;
    const auto offset = static_cast<std::int64_t>(svc.clock_skew_ms * static_cast<double>(kNanosPerMilli));
    std::shared_ptr<instrumentation> made = factory(service_identity{svc, spec.resource, offset});
    if (!made) throw std::invalid_argument("service_graph: the instrumentation factory returned none");
    const std::lock_guard<std::mutex> lock(reinstrument_mutex);
    state.installed.push_back(made);
    state.instrument.store(made.get(), std::memory_order_release);
  }

  // A service's cpu_us, as the scenario's work model says.
  void work(double us) const noexcept {
    if (!(us > 0)) return;
    if (spec.work == work_model::spin) {
      spin_for_us(us);
    } else {
      compute(static_cast<std::uint64_t>(us * iterations_per_us + 0.5));
    }
  }

  void begin_work() noexcept { outstanding.fetch_add(1, std::memory_order_relaxed); }
  void end_work() {
    if (outstanding.fetch_sub(1, std::memory_order_acq_rel) == 1) {
      const std::lock_guard<std::mutex> lock(idle_mutex);
      idle.notify_all();
    }
  }

  asio::awaitable<call_response> invoke(service_state& s, const propagation_context& incoming, tracer::span_kind kind,
                                        std::span<const span_context> links, std::uint64_t request_id,
                                        std::uint64_t seed);
  asio::awaitable<bool> run_step(service_state& s, const std::vector<call_site>& step, const span_context& parent,
                                 const tracer::baggage& bag, std::uint64_t request_id, split_mix& rng);
  asio::awaitable<bool> run_call(service_state& s, const call_site& site, const span_context& parent,
                                 const tracer::baggage& bag, std::uint64_t request_id, std::uint64_t seed);
  asio::awaitable<void> deliver(std::size_t target, call_request request, double delay_us);
  asio::awaitable<call_response> receive(std::size_t target, call_request request);

  scenario spec;
  graph_options options;
  double iterations_per_us = options.work_iterations_per_us > 0 ? options.work_iterations_per_us
                             : spec.work == work_model::compute ? calibrate_work().iterations_per_us
                                                                : 0;
  std::vector<std::unique_ptr<service_state>> services;
  std::mutex reinstrument_mutex;
  std::atomic<std::size_t> outstanding{0};
  std::mutex idle_mutex;
  std::condition_variable idle;
  bool stopped = false;
  // Destroyed before the services: abandoned coroutines end their spans while tracers live.
  asio::thread_pool pool;
  // After the pool, so it is destroyed before it (once stop() joined the threads): a transport's
  // sockets belong to the pool's execution context and must not outlive it.
  std::unique_ptr<transport> wire;
};

asio::awaitable<call_response> service_graph::impl::receive(std::size_t target, call_request request) {
  service_state& s = *services[target];
  if (s.spec->external) co_return call_response{true, 0};  // no transport delivers to it
  const propagation_context incoming = s.current().extract(request.headers);
  switch (request.via) {
    case delivery::rpc:
      co_return co_await invoke(s, incoming, s.spec->kind, {}, request.request_id, request.seed);
    case delivery::queue:
      co_return co_await invoke(s, incoming, tracer::span_kind::consumer, {}, request.request_id, request.seed);
    case delivery::batch:
      break;
  }
  // A batch consumer takes messages from many requests and serves each full batch with one
  // invocation: a new trace, linked to every message's producer span.
  std::vector<span_context> taken;
  {
    const std::lock_guard<std::mutex> lock(s.batch_mutex);
    s.batch.push_back(incoming.span);
    if (s.batch.size() >= request.batch_size) taken.swap(s.batch);
  }
  if (taken.empty()) co_return call_response{};
  std::erase_if(taken, [](const span_context& c) { return !c.valid(); });  // the no-op tracer's
  co_await invoke(s, propagation_context{}, tracer::span_kind::consumer, taken, kNoRequest, request.seed);
  co_return call_response{};
}

asio::awaitable<call_response> service_graph::impl::invoke(service_state& s, const propagation_context& incoming,
                                                           tracer::span_kind kind, std::span<const span_context> links,
                                                           std::uint64_t request_id, std::uint64_t seed) {
  const service& svc = *s.spec;
  instrumentation& in = s.current();
  split_mix rng(seed);
  span_token self = in.start_span(svc.operation, kind, incoming.span, links);
  for (const attribute& a : svc.attributes) in.set_attribute(self, a.key, to_tracer_value(a.value));
  if (request_id != kNoRequest) in.set_attribute(self, kRequestIdAttribute, static_cast<std::int64_t>(request_id));
  for (const std::string& e : svc.events) in.add_event(self, e);
  bool failed = svc.error_probability > 0 && rng.uniform01() < svc.error_probability;

  work(svc.cpu_us.sample(rng));
  if (const double wait = svc.wait_us.sample(rng); wait > 0) co_await wait_for_us(wait);
  const span_context here = in.context_of(self);
  for (const internal_span& inner : svc.internal_spans) {
    span_token child = in.start_span(inner.name, inner.kind, here);
    for (const attribute& a : inner.attributes) in.set_attribute(child, a.key, to_tracer_value(a.value));
    for (const std::string& e : inner.events) in.add_event(child, e);
    work(inner.cpu_us.sample(rng));
    if (const double wait = inner.wait_us.sample(rng); wait > 0) co_await wait_for_us(wait);
    in.end(child);
  }
  for (const std::vector<call_site>& step : s.steps) {
    if (co_await run_step(s, step, here, incoming.baggage, request_id, rng)) failed = true;
  }
  if (failed) in.set_status(self, tracer::status_code::error, "");
  in.end(self);
  co_return call_response{failed, svc.response_bytes};
}

asio::awaitable<bool> service_graph::impl::run_step(service_state& s, const std::vector<call_site>& step,
                                                    const span_context& parent, const tracer::baggage& bag,
                                                    std::uint64_t request_id, split_mix& rng) {
  // Probabilities and child seeds are drawn here, in call order, before any branch runs, so
  // the draws do not depend on which branch a thread picks up first.
  const auto fires = [&rng](const call& c) { return c.probability >= 1 || rng.uniform01() < c.probability; };
  const auto run_chain = [this, &s, &parent, &bag, request_id](const call_site& site,
                                                               std::uint64_t seed) -> asio::awaitable<bool> {
    bool failed = false;
    for (std::uint32_t k = 0; k < site.spec->repeat; ++k) {
      if (co_await run_call(s, site, parent, bag, request_id, mix_seed(seed, k))) failed = true;
    }
    co_return failed;
  };
  if (step.size() == 1) {  // the common case: no branch to spawn
    const std::uint64_t seed = rng();
    if (!fires(*step.front().spec)) co_return false;
    co_return co_await run_chain(step.front(), seed);
  }
  join_counter join;
  std::atomic<bool> failed{false};
  for (const call_site& site : step) {
    const std::uint64_t seed = rng();
    if (!fires(*site.spec)) continue;
    join.add();
    asio::co_spawn(pool, run_chain(site, seed), [&join, &failed](std::exception_ptr error, bool branch_failed) {
      if (error || branch_failed) failed.store(true, std::memory_order_relaxed);
      join.arrive();
    });
  }
  co_await join.wait();
  co_return failed.load(std::memory_order_relaxed);
}

asio::awaitable<bool> service_graph::impl::run_call(service_state& s, const call_site& site, const span_context& parent,
                                                    const tracer::baggage& bag, std::uint64_t request_id,
                                                    std::uint64_t seed) {
  instrumentation& in = s.current();
  const call& c = *site.spec;
  const bool rpc = c.via == call_via::rpc;
  span_token out = in.start_span(site.span_name, rpc ? tracer::span_kind::client : tracer::span_kind::producer, parent);
  in.set_attribute(out, "peer.service", c.to);
  call_request request;
  request.request_id = request_id;
  request.seed = seed;
  if (s.spec->propagates_context) in.inject(out, bag, request.headers);
  if (rpc) {
    const call_response reply = co_await wire->call(c.target, std::move(request));
    if (reply.error) in.set_status(out, tracer::status_code::error, "");
    in.end(out);
    co_return reply.error&& c.on_error == error_policy::propagate;
  }
  // The caller publishes and moves on; delivery is work in flight of its own.
  double delay_us = 0;
  if (c.via == call_via::queue) {
    split_mix rng(mix_seed(seed, kQueueDelaySalt));
    delay_us = c.queue_delay_us.sample(rng);
    request.via = delivery::queue;
  } else {
    request.via = delivery::batch;
    request.batch_size = c.batch_size;
  }
  begin_work();
  asio::co_spawn(pool, deliver(c.target, std::move(request), delay_us), asio::detached);
  in.end(out);
  co_return false;
}

asio::awaitable<void> service_graph::impl::deliver(std::size_t target, call_request request, double delay_us) {
  struct done_guard {
    impl* self;
    ~done_guard() { self->end_work(); }
  } guard{this};
  if (delay_us > 0) co_await wait_for_us(delay_us);
  (void)co_await wire->call(target, std::move(request));
}

service_graph::service_graph(scenario s, graph_options options)
    : impl_(std::make_unique<impl>(std::move(s), std::move(options), *this)) {}

service_graph::~service_graph() { stop(); }

const scenario& service_graph::spec() const noexcept { return impl_->spec; }

asio::awaitable<call_response> service_graph::handle(std::size_t target, call_request request) {
  return impl_->receive(target, std::move(request));
}

void service_graph::submit(std::uint64_t request_id, completion_callback done) {
  impl& m = *impl_;
  m.begin_work();
  call_request request;  // from the load generator: no trace context yet
  request.request_id = request_id;
  request.seed = mix_seed(m.options.seed, request_id);
  asio::co_spawn(m.pool, m.wire->call(m.spec.entry_index, std::move(request)),
                 [&m, done = std::move(done)](std::exception_ptr error, call_response reply) {
                   if (done) done(request_result{error != nullptr || reply.error, std::chrono::steady_clock::now()});
                   m.end_work();
                 });
}

bool service_graph::wait_idle(std::chrono::milliseconds timeout) {
  impl& m = *impl_;
  std::unique_lock<std::mutex> lock(m.idle_mutex);
  return m.idle.wait_for(lock, timeout, [&m] { return m.outstanding.load(std::memory_order_acquire) == 0; });
}

void service_graph::reinstrument(const instrumentation_factory& factory) {
  if (!factory) throw std::invalid_argument("service_graph: reinstrument needs a factory");
  for (const auto& state : impl_->services) {
    if (!state->spec->external) impl_->install(*state, factory);
  }
}

void service_graph::stop() {
  if (!impl_ || impl_->stopped) return;
  impl_->stopped = true;
  impl_->pool.stop();
  impl_->pool.join();
}

}  // namespace tracebench::services
