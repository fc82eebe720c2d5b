// The crash report: a crash prints its label, the signal and, for a jump through a null function
// pointer (where no unwinder starts), the caller found from the return address on the stack.
#include <gtest/gtest.h>

#include <csignal>

#include "core/crash_report.h"

namespace varstyle {
namespace {

// Not inlined, so the null call has a caller frame of its own.
__attribute__((noinline)) void call_through(void (*volatile function)()) { function(); }

TEST(CrashReportDeathTest, NullFunctionPointerNamesTheCaller) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(
      {
        install_crash_report("crash_report_test, rank 3/4 on here");
        call_through(nullptr);
      },
      testing::KilledBySignal(SIGSEGV),
      "crash_report_test, rank 3/4 on here: crashed: signal 11 .*\n"
      "program counter (0x0|\\(nil\\)): a call through a null function pointer, called from 0x[0-9a-f]+ in .*crash_report_test");
}

TEST(CrashReportDeathTest, AbortPrintsTheCallStackAndKeepsTheSignal) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(
      {
        install_crash_report("crash_report_test");
        std::abort();
      },
      testing::KilledBySignal(SIGABRT), "crash_report_test: crashed: signal 6 .*call stack:\n");
}

}  // namespace
}  // namespace varstyle
