// Crash report: the text goes out with write(2) and backtrace_symbols_fd; snprintf, strsignal and
// dladdr are not async-signal-safe, a risk taken on a process that is dying anyway. Then the
// signal's default action.
#include "core/crash_report.h"

#include <dlfcn.h>
#include <execinfo.h>
#include <signal.h>
#include <ucontext.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstring>

namespace varstyle {

namespace {

char g_label[256] = "varstyle";
constexpr int kSignals[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};

void say(const char* text) {
  const ssize_t ignored = write(STDERR_FILENO, text, std::strlen(text));
  (void)ignored;
}

// "module(symbol+0xoffset) [address]" for a code address, from the dynamic symbol tables.
void say_address(const void* address) {
  char line[512];
  Dl_info info{};
  if (dladdr(address, &info) && info.dli_fname) {
    const auto base = reinterpret_cast<uintptr_t>(info.dli_saddr ? info.dli_saddr : info.dli_fbase);
    std::snprintf(line, sizeof line, "%p in %s(%s+0x%lx)\n", address, info.dli_fname,
                  info.dli_sname ? info.dli_sname : "", static_cast<unsigned long>(reinterpret_cast<uintptr_t>(address) - base));
  } else {
    std::snprintf(line, sizeof line, "%p (no module)\n", address);
  }
  say(line);
}

extern "C" void report_crash(int signal, siginfo_t* info, void* context) {
  char line[512];
  std::snprintf(line, sizeof line, "\n%s: crashed: signal %d (%s), address %p\n", g_label, signal, strsignal(signal),
                info ? info->si_addr : nullptr);
  say(line);
#if defined(__x86_64__) && defined(REG_RIP)
  // A call through a null function pointer leaves the program counter at 0, where no unwinder
  // starts; the call's return address is still on top of the stack and names the caller.
  const auto* registers = static_cast<const ucontext_t*>(context)->uc_mcontext.gregs;
  const auto pc = static_cast<uintptr_t>(registers[REG_RIP]);
  if (pc < 4096) {
    std::snprintf(line, sizeof line, "program counter %p: a call through a null function pointer, called from ", reinterpret_cast<void*>(pc));
    say(line);
    say_address(*reinterpret_cast<void* const*>(registers[REG_RSP]));
  }
#else
  (void)context;
#endif
  say("call stack:\n");
  void* frames[64];
  const int count = backtrace(frames, 64);
  backtrace_symbols_fd(frames, count, STDERR_FILENO);
  // The default action (a core file where allowed, exit status 128 + signal), as if never caught.
  struct sigaction fallback {};
  fallback.sa_handler = SIG_DFL;
  sigemptyset(&fallback.sa_mask);
  sigaction(signal, &fallback, nullptr);
  raise(signal);
}

}  // namespace

void install_crash_report(const std::string& label) {
  std::snprintf(g_label, sizeof g_label, "%s", label.c_str());
  // backtrace() loads the unwinder on its first call, which must not happen inside the handler.
  void* warm[1];
  backtrace(warm, 1);
  struct sigaction action {};
  action.sa_sigaction = report_crash;
  action.sa_flags = SA_SIGINFO | SA_RESETHAND;
  sigemptyset(&action.sa_mask);
  for (int signal : kSignals) sigaction(signal, &action, nullptr);
}

}  // namespace varstyle
