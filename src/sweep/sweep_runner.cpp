// Sweep tasks as child processes (argv vectors, no shell), job-array submission, collection.
#include "sweep/sweep_runner.h"

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>
#include <opencv2/imgproc.hpp>
#include <yaml-cpp/yaml.h>

#include "core/atomic_file.h"
#include "core/error.h"
#include "core/csv.h"
#include "image/grid.h"
#include "eval/summary.h"

namespace varstyle {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// Runs argv[0] with the arguments as given (execvp: nothing is interpreted by a shell). With
// `output`, the child's stdout is captured into it.
int run_process(const std::vector<std::string>& argv, std::string* output = nullptr) {
  int pipe_fds[2] = {-1, -1};
  if (output && pipe(pipe_fds) != 0) throw Error(fmt::format("cannot run {}: pipe: {}", argv[0], std::strerror(errno)));
  const pid_t pid = fork();
  if (pid < 0) {
    const int error = errno;
    if (output) close(pipe_fds[0]), close(pipe_fds[1]);
    throw Error(fmt::format("cannot run {}: fork: {}", argv[0], std::strerror(error)));
  }
  if (pid == 0) {
    if (output) {
      dup2(pipe_fds[1], STDOUT_FILENO);
      close(pipe_fds[0]);
      close(pipe_fds[1]);
    }
    std::vector<char*> args;
    for (const auto& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
    args.push_back(nullptr);
    execvp(args[0], args.data());
    const int error = errno;  // before anything else can overwrite it
    fmt::print(stderr, "cannot run {}: {}\n", argv[0], std::strerror(error));
    _exit(127);
  }
  if (output) {
    close(pipe_fds[1]);
    char buffer[4096];
    ssize_t n = 0;
    while ((n = read(pipe_fds[0], buffer, sizeof(buffer))) > 0) output->append(buffer, static_cast<size_t>(n));
    close(pipe_fds[0]);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

std::string self_binary() { return fs::read_symlink("/proc/self/exe").string(); }

json load_sweep(const fs::path& dir) {
  try {
    return json::parse(read_file(dir / "tasks.json"));
  } catch (const json::exception& e) {
    throw Error(fmt::format("{}: unreadable sweep ({})", (dir / "tasks.json").string(), e.what()));
  }
}

// The value of an eval.methods override, emitted as YAML data: whatever a name or a path holds
// (quotes, commas, brackets) arrives as one list entry, never as YAML text of its own.
std::string methods_list(const std::vector<std::string>& methods) {
  YAML::Emitter out;
  out << YAML::Flow << YAML::BeginSeq;
  for (const auto& method : methods) out << YAML::DoubleQuoted << method;
  out << YAML::EndSeq;
  return out.c_str();
}

}  // namespace

void write_sweep(const fs::path& dir, const SweepSpec& spec, const std::vector<SweepTask>& tasks) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw Error(fmt::format("{}: cannot create the sweep folder: {}", dir.string(), ec.message()));
  json root;
  std::vector<std::string> keys;
  for (const auto& key : spec.keys) keys.push_back(key.key);
  root["spec"] = {{"name", spec.name}, {"config", spec.config}, {"eval", spec.eval}, {"method", spec.method},
                  {"ranks", spec.ranks}, {"concurrency", spec.concurrency}, {"metric", spec.metric},
                  {"overrides", spec.overrides}, {"eval_overrides", spec.eval_overrides}, {"keys", keys}};
  root["tasks"] = json::array();
  for (const auto& task : tasks) root["tasks"].push_back({{"index", task.index}, {"values", task.values}});
  write_file_atomic(dir / "tasks.json", root.dump(2) + "\n");
}

int run_sweep_task(const fs::path& dir, int64_t index) {
  const json sweep = load_sweep(dir);
  const json& spec = sweep.at("spec");
  const auto& tasks = sweep.at("tasks");
  if (index < 0 || index >= static_cast<int64_t>(tasks.size()))
    throw Error(fmt::format("{}: no task {} (the sweep has {})", dir.string(), index, tasks.size()));
  const fs::path task_dir = dir / fmt::format("task-{:04d}", index);
  std::error_code ec;
  fs::create_directories(task_dir, ec);  // a task rejected by the trainer still records its status
  if (ec) throw Error(fmt::format("{}: cannot create: {}", task_dir.string(), ec.message()));
  const std::string binary = self_binary();
  const int ranks = spec.at("ranks").get<int>();
  std::vector<std::string> train;
  if (ranks > 1) {
    train = {"mpirun", "--oversubscribe", "-np", std::to_string(ranks)};
    if (geteuid() == 0) train.insert(train.begin() + 1, "--allow-run-as-root");
  }
  for (const auto& arg : std::vector<std::string>{binary, "train", "--config", spec.at("config"), "--run-dir",
                                                   (task_dir / "run").string(), "--resume", "auto"})
    train.push_back(arg);
  for (const auto& o : spec.at("overrides")) train.push_back(o.get<std::string>());
  for (const auto& [key, value] : tasks[static_cast<size_t>(index)].at("values").get<std::vector<std::pair<std::string, std::string>>>())
    train.push_back(key + "=" + value);
  const int trained = run_process(train);
  int evaluated = -1;
  if (trained == 0) {
    std::vector<std::string> eval = {binary, "eval", "--config", spec.at("eval"), "--out", (task_dir / "eval").string()};
    for (const auto& o : spec.at("eval_overrides")) eval.push_back(o.get<std::string>());
    eval.push_back("eval.methods=" + methods_list({spec.at("method").get<std::string>() + ":" + (task_dir / "run").string(),
                                                   "identity"}));
    evaluated = run_process(eval);
  }
  write_file_atomic(task_dir / "status.json", json{{"train_exit", trained}, {"eval_exit", evaluated}}.dump() + "\n");
  return trained == 0 && evaluated == 0 ? 0 : 1;
}

std::string submit_sweep(const fs::path& dir) {
  const json sweep = load_sweep(dir);
  const json& spec = sweep.at("spec");
  const size_t count = sweep.at("tasks").size();
  std::string output;
  const std::vector<std::string> argv = {
      "sbatch", "--parsable", fmt::format("--array=0-{}%{}", count - 1, spec.at("concurrency").get<int64_t>()),
      fmt::format("--ntasks={}", spec.at("ranks").get<int64_t>()), "--job-name=sweep-" + spec.at("name").get<std::string>(),
      "--output=" + (dir / "task-%a.out").string(), "slurm/sweep_task.sbatch", dir.string()};
  if (run_process(argv, &output) != 0) throw Error("sbatch refused the sweep's job array: " + output);
  return output.substr(0, output.find_first_of(";\n"));
}

namespace {

// One task's outcome: its swept values and, when its evaluation finished, the trained method's
// summary values (floors_passed and the mean of every column).
struct TaskResult {
  int64_t index = 0;
  std::vector<std::pair<std::string, std::string>> values;
  std::map<std::string, double> metrics;
  bool ok = false;  // the ranking metric is there
};

// Reads the task's eval/summary.json; `metric_names` gains the names it has not seen yet, in order.
TaskResult read_task_result(const fs::path& dir, const json& task, const std::string& method, const std::string& metric,
                            std::vector<std::string>& metric_names) {
  TaskResult result{task.at("index"), task.at("values").get<std::vector<std::pair<std::string, std::string>>>(), {}, false};
  const fs::path file = dir / fmt::format("task-{:04d}", result.index) / "eval" / "summary.json";
  if (!fs::exists(file)) return result;
  EvalSummary summary;
  try {
    summary = read_summary_json(file);
  } catch (const Error& e) {
    spdlog::warn("{}; task {} counts as failed", e.what(), result.index);
    return result;
  }
  const MethodSummary* found = summary.find(method);
  if (!found) return result;
  std::vector<std::pair<std::string, double>> values = {{"floors_passed", found->floor_failures.empty() ? 1.0 : 0.0}};
  for (const auto& column : summary.columns) values.emplace_back(column, found->columns.at(column).mean);
  for (const auto& [name, value] : values) {
    result.metrics[name] = value;
    if (std::find(metric_names.begin(), metric_names.end(), name) == metric_names.end()) metric_names.push_back(name);
  }
  result.ok = result.metrics.count(metric) > 0;
  return result;
}

// Best first by `metric`; tasks without it last, in task order.
void rank_results(std::vector<TaskResult>& results, const std::string& metric) {
  const bool higher = higher_is_better(metric);
  std::stable_sort(results.begin(), results.end(), [&](const TaskResult& a, const TaskResult& b) {
    if (a.ok != b.ok) return a.ok;
    if (!a.ok) return a.index < b.index;
    return higher ? a.metrics.at(metric) > b.metrics.at(metric) : a.metrics.at(metric) < b.metrics.at(metric);
  });
}

// results.csv and results.md; returns the Markdown.
std::string write_result_tables(const fs::path& dir, const json& spec, const std::vector<TaskResult>& results,
                                const std::vector<std::string>& keys, const std::vector<std::string>& metric_names) {
  const std::string method = spec.at("method"), metric = spec.at("metric");
  std::vector<std::string> header = {"rank", "task"};
  std::ostringstream md;
  md << "Sweep `" << spec.at("name").get<std::string>() << "`, ranked by " << metric << " of `" << method << "` ("
     << (higher_is_better(metric) ? "higher" : "lower") << " is better).\n\n| rank | task |";
  for (const auto* names : {&keys, &metric_names})
    for (const auto& name : *names) {
      header.push_back(csv_field(name));
      md << " " << name << " |";
    }
  header.push_back("status");
  std::string csv = csv_line(header);
  md << "\n|---|---|";
  for (size_t i = 0; i < keys.size() + metric_names.size(); ++i) md << "---|";
  md << "\n";
  for (size_t r = 0; r < results.size(); ++r) {
    const TaskResult& result = results[r];
    const std::string rank = result.ok ? std::to_string(r + 1) : "-";
    std::vector<std::string> fields = {rank, std::to_string(result.index)};
    md << "| " << rank << " | " << result.index << " |";
    for (const auto& [key, value] : result.values) {
      fields.push_back(csv_field(value, /*always_quote=*/true));
      md << " " << value << " |";
    }
    for (const auto& name : metric_names) {
      const auto it = result.metrics.find(name);
      const std::string cell = it == result.metrics.end() ? "" : fmt::format("{:.4g}", it->second);
      fields.push_back(cell);
      md << " " << cell << " |";
    }
    fields.push_back(result.ok ? "ok" : fmt::format("failed (see task-{:04d})", result.index));
    csv += csv_line(fields);
    md << "\n";
  }
  write_file_atomic(dir / "results.csv", csv);
  write_file_atomic(dir / "results.md", md.str());
  return md.str();
}

// plot-<key>.png: the metric against the key's value (numbers on a linear axis, other values in
// order of appearance), for the tasks that have it.
void plot_key(const fs::path& dir, const std::vector<TaskResult>& results, size_t k, const std::string& key,
              const std::string& metric) {
  std::vector<std::pair<std::string, double>> points;
  for (const auto& result : results)
    if (result.ok) points.emplace_back(result.values[k].second, result.metrics.at(metric));
  if (points.empty()) return;
  std::vector<std::string> categories;
  bool numeric = true;
  for (const auto& point : points) {
    char* end = nullptr;
    std::strtod(point.first.c_str(), &end);
    numeric = numeric && end && *end == '\0' && !point.first.empty();
    if (std::find(categories.begin(), categories.end(), point.first) == categories.end()) categories.push_back(point.first);
  }
  auto x_of = [&](const std::string& v) {
    return numeric ? std::strtod(v.c_str(), nullptr)
                   : static_cast<double>(std::find(categories.begin(), categories.end(), v) - categories.begin());
  };
  double x0 = 1e300, x1 = -1e300, y0 = 1e300, y1 = -1e300;
  for (const auto& [v, y] : points) {
    x0 = std::min(x0, x_of(v)), x1 = std::max(x1, x_of(v)), y0 = std::min(y0, y), y1 = std::max(y1, y);
  }
  if (x1 == x0) x1 = x0 + 1;
  if (y1 == y0) y1 = y0 + 1;
  const int width = 520, height = 340, left = 70, bottom = 50, top = 30, right = 20;
  cv::Mat plot(height, width, CV_8UC3, cv::Scalar(255, 255, 255));
  const auto px = [&](double x) { return left + static_cast<int>((x - x0) / (x1 - x0) * (width - left - right)); };
  const auto py = [&](double y) { return height - bottom - static_cast<int>((y - y0) / (y1 - y0) * (height - top - bottom)); };
  cv::line(plot, {left, height - bottom}, {width - right, height - bottom}, cv::Scalar(0, 0, 0));
  cv::line(plot, {left, top}, {left, height - bottom}, cv::Scalar(0, 0, 0));
  const auto text = [&](const std::string& s, int x, int y) {
    cv::putText(plot, s, {x, y}, cv::FONT_HERSHEY_SIMPLEX, 0.4, cv::Scalar(0, 0, 0), 1, cv::LINE_AA);
  };
  text(fmt::format("{} vs {}", metric, key), left, 18);
  text(fmt::format("{:.3g}", y1), 4, top + 4);
  text(fmt::format("{:.3g}", y0), 4, height - bottom);
  text(numeric ? fmt::format("{:.3g}", x0) : categories.front().substr(0, 12), left, height - bottom + 16);
  text(numeric ? fmt::format("{:.3g}", x1) : categories.back().substr(0, 12), width - right - 60, height - bottom + 16);
  text(key, width / 2 - 40, height - 12);
  for (const auto& [v, y] : points) cv::circle(plot, {px(x_of(v)), py(y)}, 4, cv::Scalar(30, 90, 200), -1, cv::LINE_AA);
  std::string file = key;
  std::replace(file.begin(), file.end(), '/', '_');
  write_image(dir / ("plot-" + file + ".png"), plot);
}

}  // namespace

std::string collect_sweep(const fs::path& dir) {
  const json sweep = load_sweep(dir);
  const json& spec = sweep.at("spec");
  const auto keys = spec.at("keys").get<std::vector<std::string>>();
  std::vector<std::string> metric_names;
  std::vector<TaskResult> results;
  for (const auto& task : sweep.at("tasks"))
    results.push_back(read_task_result(dir, task, spec.at("method"), spec.at("metric"), metric_names));
  rank_results(results, spec.at("metric"));
  const std::string table = write_result_tables(dir, spec, results, keys, metric_names);
  for (size_t k = 0; k < keys.size(); ++k) plot_key(dir, results, k, keys[k], spec.at("metric"));
  return table;
}

}  // namespace varstyle
