// The MPI process group: initialisation with errors returned (not fatal), world and node-local
// ranks (MPI_Comm_split_type SHARED), the check macro for MPI calls, and a job-wide abort so
// that a failure on one rank never leaves the others hanging.
#pragma once

#include <mpi.h>

#include <string>

namespace varstyle {

class MpiSession {
 public:
  MpiSession(int* argc, char*** argv);  // MPI_Init_thread; works without mpirun (a singleton)
  ~MpiSession();                        // MPI_Finalize; never throws
  MpiSession(const MpiSession&) = delete;
  MpiSession& operator=(const MpiSession&) = delete;

  int rank() const { return rank_; }
  int size() const { return size_; }
  int local_rank() const { return local_rank_; }
  int local_size() const { return local_size_; }

  // Ends every rank of the job with `code` (MPI_Abort); used after printing the error once.
  [[noreturn]] static void abort(int code);
  static bool active();  // initialised and not finalised

 private:
  int rank_ = 0;
  int size_ = 1;
  int local_rank_ = 0;
  int local_size_ = 1;
};

// "MPI_ERR_TRUNCATE: message truncated" for an MPI error code.
std::string mpi_error_text(int code);

}  // namespace varstyle

#define VS_MPI_CHECK(statement)                                                            \
  do {                                                                                     \
    const int vs_mpi_result_ = (statement);                                                \
    if (vs_mpi_result_ != MPI_SUCCESS)                                                     \
      ::varstyle::fail_library_call("MPI", #statement, __FILE__, __LINE__,                 \
                                    ::varstyle::mpi_error_text(vs_mpi_result_));           \
  } while (false)
