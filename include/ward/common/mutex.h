// Mutexes that clang's thread-safety analysis understands (-Wthread-safety, an error in the tidy
// gate, scripts/tidy.sh): ward::Mutex and ward::SharedMutex are capabilities, MutexLock,
// ReaderLock and WriterLock hold one for a scope, and CondVar waits on a MutexLock.
//
// A member that a mutex protects is declared `T x_ WARD_GUARDED_BY(mu_);` and a private helper
// that expects the lock held is declared `void f() WARD_REQUIRES(mu_);`. The analysis then
// rejects an access without the lock. It does not look inside lambdas called by other code: a
// condition-variable predicate that reads guarded state is written `[&]() WARD_REQUIRES(mu_) {..}`.
// The macros are empty on compilers without the attributes (GCC).
//
// Thread-safety: Mutex, SharedMutex and CondVar are thread-safe; a lock object belongs to the
// thread that made it.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <shared_mutex>

#if defined(__clang__)
#define WARD_THREAD_ATTR(x) __attribute__((x))
#else
#define WARD_THREAD_ATTR(x)
#endif

#define WARD_CAPABILITY(x) WARD_THREAD_ATTR(capability(x))
#define WARD_SCOPED_CAPABILITY WARD_THREAD_ATTR(scoped_lockable)
#define WARD_GUARDED_BY(x) WARD_THREAD_ATTR(guarded_by(x))
#define WARD_PT_GUARDED_BY(x) WARD_THREAD_ATTR(pt_guarded_by(x))
#define WARD_ACQUIRED_BEFORE(...) WARD_THREAD_ATTR(acquired_before(__VA_ARGS__))
#define WARD_ACQUIRED_AFTER(...) WARD_THREAD_ATTR(acquired_after(__VA_ARGS__))
#define WARD_REQUIRES(...) WARD_THREAD_ATTR(requires_capability(__VA_ARGS__))
#define WARD_REQUIRES_SHARED(...) WARD_THREAD_ATTR(requires_shared_capability(__VA_ARGS__))
#define WARD_ACQUIRE(...) WARD_THREAD_ATTR(acquire_capability(__VA_ARGS__))
#define WARD_ACQUIRE_SHARED(...) WARD_THREAD_ATTR(acquire_shared_capability(__VA_ARGS__))
#define WARD_RELEASE(...) WARD_THREAD_ATTR(release_capability(__VA_ARGS__))
#define WARD_RELEASE_SHARED(...) WARD_THREAD_ATTR(release_shared_capability(__VA_ARGS__))
#define WARD_RELEASE_GENERIC(...) WARD_THREAD_ATTR(release_generic_capability(__VA_ARGS__))
#define WARD_TRY_ACQUIRE(...) WARD_THREAD_ATTR(try_acquire_capability(__VA_ARGS__))
#define WARD_EXCLUDES(...) WARD_THREAD_ATTR(locks_excluded(__VA_ARGS__))
#define WARD_ASSERT_CAPABILITY(x) WARD_THREAD_ATTR(assert_capability(x))
#define WARD_RETURN_CAPABILITY(x) WARD_THREAD_ATTR(lock_returned(x))
// For the rare function the analysis cannot follow; say why beside it.
#define WARD_NO_THREAD_SAFETY_ANALYSIS WARD_THREAD_ATTR(no_thread_safety_analysis)

namespace ward {

// An exclusive mutex (std::mutex).
class WARD_CAPABILITY("mutex") Mutex {
 public:
  Mutex() = default;
  Mutex(const Mutex&) = delete;
  Mutex& operator=(const Mutex&) = delete;

  void lock() WARD_ACQUIRE() { mu_.lock(); }
  void unlock() WARD_RELEASE() { mu_.unlock(); }
  bool tryLock() WARD_TRY_ACQUIRE(true) { return mu_.try_lock(); }

 private:
  friend class MutexLock;
  std::mutex mu_;
};

// Holds a Mutex from construction to destruction; unlock()/lock() drop and retake it inside the
// scope (a call that must not run under the lock).
class WARD_SCOPED_CAPABILITY MutexLock {
 public:
  explicit MutexLock(Mutex& mu) WARD_ACQUIRE(mu) : lock_(mu.mu_) {}
  // Takes over a lock the caller already holds (after Mutex::tryLock()).
  struct Adopt {};
  MutexLock(Mutex& mu, Adopt) WARD_REQUIRES(mu) : lock_(mu.mu_, std::adopt_lock) {}
  ~MutexLock() WARD_RELEASE() {}
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

  void unlock() WARD_RELEASE() { lock_.unlock(); }
  void lock() WARD_ACQUIRE() { lock_.lock(); }

 private:
  friend class CondVar;
  std::unique_lock<std::mutex> lock_;
};

// A condition variable over a MutexLock (std::condition_variable). The lock is held again when a
// wait returns.
class CondVar {
 public:
  void notifyOne() noexcept { cv_.notify_one(); }
  void notifyAll() noexcept { cv_.notify_all(); }

  void wait(MutexLock& lock) { cv_.wait(lock.lock_); }
  template <typename Pred>
  void wait(MutexLock& lock, Pred pred) {
    cv_.wait(lock.lock_, std::move(pred));
  }
  template <typename Rep, typename Period>
  std::cv_status waitFor(MutexLock& lock, const std::chrono::duration<Rep, Period>& d) {
    return cv_.wait_for(lock.lock_, d);
  }
  template <typename Rep, typename Period, typename Pred>
  bool waitFor(MutexLock& lock, const std::chrono::duration<Rep, Period>& d, Pred pred) {
    return cv_.wait_for(lock.lock_, d, std::move(pred));
  }
  template <typename Clock, typename Duration>
  std::cv_status waitUntil(MutexLock& lock, const std::chrono::time_point<Clock, Duration>& t) {
    return cv_.wait_until(lock.lock_, t);
  }
  template <typename Clock, typename Duration, typename Pred>
  bool waitUntil(MutexLock& lock, const std::chrono::time_point<Clock, Duration>& t, Pred pred) {
    return cv_.wait_until(lock.lock_, t, std::move(pred));
  }

 private:
  std::condition_variable cv_;
};

// A readers-writer mutex (std::shared_mutex).
class WARD_CAPABILITY("mutex") SharedMutex {
 public:
  SharedMutex() = default;
  SharedMutex(const SharedMutex&) = delete;
  SharedMutex& operator=(const SharedMutex&) = delete;

  void lock() WARD_ACQUIRE() { mu_.lock(); }
  void unlock() WARD_RELEASE() { mu_.unlock(); }
  void lockShared() WARD_ACQUIRE_SHARED() { mu_.lock_shared(); }
  void unlockShared() WARD_RELEASE_SHARED() { mu_.unlock_shared(); }

 private:
  std::shared_mutex mu_;
};

// Holds a SharedMutex exclusively for a scope.
class WARD_SCOPED_CAPABILITY WriterLock {
 public:
  explicit WriterLock(SharedMutex& mu) WARD_ACQUIRE(mu) : mu_(mu) { mu_.lock(); }
  ~WriterLock() WARD_RELEASE() { mu_.unlock(); }
  WriterLock(const WriterLock&) = delete;
  WriterLock& operator=(const WriterLock&) = delete;

 private:
  SharedMutex& mu_;
};

// Holds a SharedMutex shared for a scope.
class WARD_SCOPED_CAPABILITY ReaderLock {
 public:
  explicit ReaderLock(SharedMutex& mu) WARD_ACQUIRE_SHARED(mu) : mu_(mu) { mu_.lockShared(); }
  ~ReaderLock() WARD_RELEASE() { mu_.unlockShared(); }
  ReaderLock(const ReaderLock&) = delete;
  ReaderLock& operator=(const ReaderLock&) = delete;

 private:
  SharedMutex& mu_;
};

}  // namespace ward
