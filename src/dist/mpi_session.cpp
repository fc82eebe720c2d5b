// MpiSession: MPI start-up with MPI_ERRORS_RETURN, node-local ranks, job-wide abort.
#include "dist/mpi_session.h"

#include <cstdio>
#include <cstdlib>

#include <fmt/format.h>

#include "core/crash_report.h"
#include "core/error.h"

namespace varstyle {

std::string mpi_error_text(int code) {
  char text[MPI_MAX_ERROR_STRING] = {0};
  int length = 0;
  if (MPI_Error_string(code, text, &length) != MPI_SUCCESS) return fmt::format("MPI error {}", code);
  return std::string(text, static_cast<size_t>(length));
}

MpiSession::MpiSession(int* argc, char*** argv) {
  int provided = 0;
  if (!active()) {
    // Communication happens from the training thread only; the prefetch threads never call MPI.
    const int status = MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided);
    if (status != MPI_SUCCESS) throw Error("MPI_Init_thread failed: " + mpi_error_text(status));
  }
  // Errors come back as codes (turned into exceptions by VS_MPI_CHECK) instead of killing the
  // process without a word.
  VS_MPI_CHECK(MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN));
  VS_MPI_CHECK(MPI_Comm_rank(MPI_COMM_WORLD, &rank_));
  VS_MPI_CHECK(MPI_Comm_size(MPI_COMM_WORLD, &size_));
  set_process_identity(rank_, size_);
  // MPI_Init puts Open MPI's own crash handlers in place, which print no caller for a jump to 0.
  install_crash_report(fmt::format("varstyle, {}", describe_process()));
  MPI_Comm node = MPI_COMM_NULL;
  VS_MPI_CHECK(MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, rank_, MPI_INFO_NULL, &node));
  VS_MPI_CHECK(MPI_Comm_rank(node, &local_rank_));
  VS_MPI_CHECK(MPI_Comm_size(node, &local_size_));
  MPI_Comm_free(&node);
}

MpiSession::~MpiSession() {
  if (active()) MPI_Finalize();
}

bool MpiSession::active() {
  int initialised = 0, finalised = 0;
  MPI_Initialized(&initialised);
  MPI_Finalized(&finalised);
  return initialised && !finalised;
}

void MpiSession::abort(int code) {
  std::fflush(stdout);
  std::fflush(stderr);
  if (active()) MPI_Abort(MPI_COMM_WORLD, code);
  std::_Exit(code);
}

}  // namespace varstyle
