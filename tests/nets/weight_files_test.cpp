// Weight loading in both real layouts: Keras HDF5 (layer_names / weight_names attributes, Keras 2
// and Keras 1 weight names, HWIO kernels, Caffe input convention) and a zip-format torch.save
// dict with torchvision's names. The loaded network must equal a direct convolution with those
// weights; a missing layer, a wrong shape, a string or a huge sparse dataset fails naming the
// tensor (checkpoint tensor files are held to the same).
#include <gtest/gtest.h>
#include <torch/serialize.h>

#include <cstdlib>
#include <fstream>

#include "core/error.h"
#include "core/h5.h"
#include "nets/resnet.h"
#include "nets/vgg19.h"
#include "test_support.h"
#include "checkpoint/tensor_file.h"

namespace varstyle {
namespace {

using testing::ScratchDir;
namespace fs = std::filesystem;

// Fixed-length string array attribute, as h5py writes `layer_names` and `weight_names`.
void write_string_array(hid_t object, const std::string& name, const std::vector<std::string>& values) {
  size_t width = 1;
  for (const auto& v : values) width = std::max(width, v.size());
  std::vector<char> buffer(width * values.size(), '\0');
  for (size_t i = 0; i < values.size(); ++i) std::copy(values[i].begin(), values[i].end(), buffer.begin() + static_cast<long>(i * width));
  h5::Handle type(H5Tcopy(H5T_C_S1), H5Tclose);
  H5Tset_size(type.get(), width);
  hsize_t dims[1] = {values.size()};
  h5::Handle space(H5Screate_simple(1, dims, nullptr), H5Sclose);
  h5::Handle attribute(H5Acreate2(object, name.c_str(), type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT), H5Aclose);
  H5Awrite(attribute.get(), type.get(), buffer.data());
}

void write_dataset(hid_t group, const std::string& path, const at::Tensor& tensor) {
  h5::Handle lcpl(H5Pcreate(H5P_LINK_CREATE), H5Pclose);
  H5Pset_create_intermediate_group(lcpl.get(), 1);
  std::vector<hsize_t> dims(tensor.sizes().begin(), tensor.sizes().end());
  h5::Handle space(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr), H5Sclose);
  h5::Handle dataset(H5Dcreate2(group, path.c_str(), H5T_IEEE_F32LE, space.get(), lcpl.get(), H5P_DEFAULT, H5P_DEFAULT), H5Dclose);
  at::Tensor contiguous = tensor.to(at::kFloat).contiguous();
  H5Dwrite(dataset.get(), H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, contiguous.data_ptr<float>());
}

// Random OIHW weights for the first `count` VGG layers at `width`.
std::vector<std::pair<at::Tensor, at::Tensor>> random_weights(double width, size_t count) {
  at::manual_seed(11);
  std::vector<std::pair<at::Tensor, at::Tensor>> weights;
  auto layers = Vgg19::full_layers(width);
  for (size_t i = 0; i < count; ++i)
    weights.push_back({at::randn({layers[i].out_channels, layers[i].in_channels, 3, 3}) * 0.2,
                       at::randn({layers[i].out_channels}) * 0.1});
  return weights;
}

// A Keras weight file; keras1 chooses "block1_conv1_W_1:0" names stored directly in the group.
void write_keras(const fs::path& path, double width, size_t count, bool keras1, const std::string& skip = "") {
  auto weights = random_weights(width, count);
  auto layers = Vgg19::full_layers(width);
  h5::Handle file = h5::create_file(path);
  std::vector<std::string> names;
  for (size_t i = 0; i < count; ++i) {
    const std::string layer = "block" + layers[i].name.substr(4, 1) + "_conv" + layers[i].name.substr(6);
    if (layer == skip) continue;
    names.push_back(layer);
    h5::Handle group(H5Gcreate2(file.get(), layer.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Gclose);
    const std::string kernel = keras1 ? layer + "_W_1:0" : layer + "/kernel:0";
    const std::string bias = keras1 ? layer + "_b_1:0" : layer + "/bias:0";
    write_string_array(group.get(), "weight_names", {kernel, bias});
    write_dataset(group.get(), kernel, weights[i].first.permute({2, 3, 1, 0}));  // OIHW -> HWIO
    write_dataset(group.get(), bias, weights[i].second);
  }
  names.push_back("block1_pool");  // layers without weights are listed too
  h5::Handle pool(H5Gcreate2(file.get(), "block1_pool", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Gclose);
  write_string_array(pool.get(), "weight_names", {""});
  write_string_array(file.get(), "layer_names", names);
}

void write_torch(const fs::path& path, double width, size_t count) {
  auto weights = random_weights(width, count);
  auto layers = Vgg19::full_layers(width);
  c10::Dict<std::string, at::Tensor> dict;
  for (size_t i = 0; i < count; ++i) {
    dict.insert("features." + std::to_string(layers[i].torchvision_index) + ".weight", weights[i].first);
    dict.insert("features." + std::to_string(layers[i].torchvision_index) + ".bias", weights[i].second);
  }
  std::vector<char> bytes = torch::pickle_save(c10::IValue(dict));
  std::ofstream(path, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// relu(conv(pad(normalised x))) for the first layer, written out directly.
at::Tensor direct_relu1_1(const at::Tensor& image, const at::Tensor& weight, const at::Tensor& bias, bool caffe) {
  at::Tensor x;
  if (caffe) {
    x = image.flip({1}) * 255.0 - at::tensor({103.939f, 116.779f, 123.68f}).view({1, 3, 1, 1});
  } else {
    x = (image - at::tensor({0.485f, 0.456f, 0.406f}).view({1, 3, 1, 1})) / at::tensor({0.229f, 0.224f, 0.225f}).view({1, 3, 1, 1});
  }
  return at::relu(at::conv2d(at::reflection_pad2d(x, {1, 1, 1, 1}), weight, bias));
}

std::string load_error(const fs::path& path, double width, const std::string& last_tap) {
  Vgg19 vgg({width, Padding::kReflect, last_tap});
  try {
    vgg.load(path);
  } catch (const Error& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected a load error for " << path;
  return "";
}

TEST(WeightFiles, KerasTwoAndOneLayoutsMatchDirectConvolution) {
  ScratchDir dir;
  const double width = 0.0625;
  const at::Tensor image = at::rand({2, 3, 12, 10});
  const auto weights = random_weights(width, 3);
  for (bool keras1 : {false, true}) {
    const auto path = dir / (keras1 ? "k1.h5" : "k2.h5");
    write_keras(path, width, 3, keras1);
    Vgg19 vgg({width, Padding::kReflect, "relu2_1"});
    vgg.load(path);
    FeatureMap features = vgg.features(image, {"relu1_1", "relu2_1"});
    EXPECT_TRUE(at::allclose(features.at("relu1_1"), direct_relu1_1(image, weights[0].first, weights[0].second, true), 1e-4, 1e-3))
        << (keras1 ? "keras 1" : "keras 2");
    EXPECT_EQ(features.at("relu2_1").sizes(), (std::vector<int64_t>{2, 8, 6, 5}));
    EXPECT_NE(vgg.describe().find(path.string()), std::string::npos);
  }
}

TEST(WeightFiles, TorchZipStateDictMatchesDirectConvolution) {
  ScratchDir dir;
  const double width = 0.0625;
  write_torch(dir / "vgg.pt", width, 3);
  Vgg19 vgg({width, Padding::kReflect, "relu2_1"});
  vgg.load(dir / "vgg.pt");
  const auto weights = random_weights(width, 3);
  const at::Tensor image = at::rand({1, 3, 9, 9});
  EXPECT_TRUE(at::allclose(vgg.features(image, {"relu1_1"}).at("relu1_1"),
                           direct_relu1_1(image, weights[0].first, weights[0].second, false), 1e-5, 1e-5));
}

// The file a user makes with Python's torch.save (Debian's python3-torch), when available.
TEST(WeightFiles, TorchSaveFromPythonLoads) {
  ScratchDir dir;
  const std::string script =
      "import torch\n"
      "torch.manual_seed(0)\n"
      "sd = {'features.0.weight': torch.randn(4, 3, 3, 3), 'features.0.bias': torch.randn(4)}\n"
      "torch.save(dict(sd), '" + (dir / "py.pt").string() + "')\n"
      "torch.save(sd['features.0.weight'], '" + (dir / "w.pt").string() + "')\n";
  testing::write_text(dir / "make.py", script);
  if (testing::run_command("/usr/bin/python3 " + (dir / "make.py").string()).exit_code != 0)
    GTEST_SKIP() << "python3 with torch is not available";
  Vgg19 vgg({0.0625, Padding::kReflect, "relu1_1"});
  vgg.load(dir / "py.pt");
  const std::string message = load_error(dir / "w.pt", 0.0625, "relu1_1");
  EXPECT_NE(message.find("dict"), std::string::npos) << message;
}

TEST(WeightFiles, MissingLayerAndWrongShapeNameTheTensor) {
  ScratchDir dir;
  write_keras(dir / "missing.h5", 0.0625, 3, false, "block2_conv1");
  std::string message = load_error(dir / "missing.h5", 0.0625, "relu2_1");
  EXPECT_NE(message.find("missing.h5"), std::string::npos) << message;
  EXPECT_NE(message.find("'block2_conv1/kernel' is missing"), std::string::npos) << message;

  write_torch(dir / "wide.pt", 0.125, 3);
  message = load_error(dir / "wide.pt", 0.0625, "relu2_1");
  EXPECT_NE(message.find("tensor 'features.0.weight' has shape [8, 3, 3, 3]"), std::string::npos) << message;
  EXPECT_NE(message.find("expects [4, 3, 3, 3]"), std::string::npos) << message;

  testing::write_text(dir / "legacy.pth", std::string("\x80\x02\x8a\x0alegacy pickle", 18));
  message = load_error(dir / "legacy.pth", 0.0625, "relu1_1");
  EXPECT_NE(message.find("torch.save(dict(torch.load(f)), g)"), std::string::npos) << message;
  message = load_error(dir / "absent.h5", 0.0625, "relu1_1");
  EXPECT_NE(message.find("absent.h5: weight file not found"), std::string::npos) << message;
}

// A dataset of strings, and a chunked one claiming [2^20, 2^20] floats (4 TiB) with no chunk
// written: tiny files that a reader must refuse by type and size, before allocating.
void write_string_dataset(hid_t location, const std::string& name) {
  h5::Handle type(H5Tcopy(H5T_C_S1), H5Tclose);
  H5Tset_size(type.get(), H5T_VARIABLE);
  hsize_t dims[1] = {1};
  h5::Handle space(H5Screate_simple(1, dims, nullptr), H5Sclose);
  h5::Handle lcpl(H5Pcreate(H5P_LINK_CREATE), H5Pclose);
  H5Pset_create_intermediate_group(lcpl.get(), 1);
  h5::Handle dataset(H5Dcreate2(location, name.c_str(), type.get(), space.get(), lcpl.get(), H5P_DEFAULT, H5P_DEFAULT), H5Dclose);
  const char* text = "not a tensor";
  H5Dwrite(dataset.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, &text);
}

void write_sparse_dataset(hid_t location, const std::string& name) {
  hsize_t dims[2] = {hsize_t{1} << 20, hsize_t{1} << 20}, chunk[2] = {1, 1024};
  h5::Handle space(H5Screate_simple(2, dims, nullptr), H5Sclose);
  h5::Handle dcpl(H5Pcreate(H5P_DATASET_CREATE), H5Pclose);
  H5Pset_chunk(dcpl.get(), 2, chunk);
  h5::Handle lcpl(H5Pcreate(H5P_LINK_CREATE), H5Pclose);
  H5Pset_create_intermediate_group(lcpl.get(), 1);
  h5::Handle dataset(H5Dcreate2(location, name.c_str(), H5T_IEEE_F32LE, space.get(), lcpl.get(), dcpl.get(), H5P_DEFAULT), H5Dclose);
}

TEST(TensorFile, StringAndHugeSparseTensorsNameTheFileAndTheTensor) {
  ScratchDir dir;
  {
    h5::Handle file = h5::create_file(dir / "strings.h5");
    write_dataset(file.get(), "decoder.weight", at::ones({2, 2}));
    write_string_dataset(file.get(), "encoder.weight");
    h5::Handle sparse = h5::create_file(dir / "sparse.h5");
    write_sparse_dataset(sparse.get(), "decoder.weight");
  }
  EXPECT_LT(fs::file_size(dir / "sparse.h5"), 100000u);
  auto error_of = [](const fs::path& path) {
    try {
      read_tensor_file(path);
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("(read)");
  };
  EXPECT_EQ(error_of(dir / "strings.h5"), (dir / "strings.h5").string() + ": tensor 'encoder.weight': holds strings, not numbers");
  EXPECT_EQ(error_of(dir / "sparse.h5"), (dir / "sparse.h5").string() +
                                             ": tensor 'decoder.weight': has shape [1048576, 1048576], more than 4 GiB; "
                                             "refused before reading");
}

TEST(WeightFiles, StringAndHugeSparseWeightsNameTheFileAndTheWeight) {
  ScratchDir dir;
  for (const char* kind : {"strings", "sparse"}) {
    h5::Handle file = h5::create_file(dir / (std::string(kind) + ".h5"));
    h5::Handle group(H5Gcreate2(file.get(), "block1_conv1", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Gclose);
    write_string_array(group.get(), "weight_names", {"block1_conv1/kernel:0"});
    if (std::string(kind) == "strings") write_string_dataset(group.get(), "block1_conv1/kernel:0");
    else write_sparse_dataset(group.get(), "block1_conv1/kernel:0");
    write_string_array(file.get(), "layer_names", {"block1_conv1"});
  }
  std::string message = load_error(dir / "strings.h5", 0.0625, "relu1_1");
  EXPECT_NE(message.find((dir / "strings.h5").string() + ": weight 'block1_conv1/block1_conv1/kernel:0': holds strings"),
            std::string::npos) << message;
  message = load_error(dir / "sparse.h5", 0.0625, "relu1_1");
  EXPECT_NE(message.find((dir / "sparse.h5").string() + ": weight 'block1_conv1/block1_conv1/kernel:0': has shape "
                                                         "[1048576, 1048576], more than 4 GiB"),
            std::string::npos) << message;
}

TEST(ResNet, TapsShapesAndStateDictRoundTrip) {
  ScratchDir dir;
  at::manual_seed(4);
  ResNet source(0.0625);
  source.freeze();
  const at::Tensor image = at::rand({1, 3, 32, 32});
  FeatureMap features = source.features(image, {"relu1_1", "relu3_1", "relu5_1"});
  EXPECT_EQ(features.at("relu1_1").sizes(), (std::vector<int64_t>{1, 4, 16, 16}));
  EXPECT_EQ(features.at("relu3_1").sizes(), (std::vector<int64_t>{1, 8, 4, 4}));
  EXPECT_EQ(features.at("relu5_1").sizes(), (std::vector<int64_t>{1, 32, 1, 1}));
  EXPECT_THROW(source.features(image, {"relu9_9"}), ConfigError);

  c10::Dict<std::string, at::Tensor> dict;
  for (const auto& item : source.named_parameters()) dict.insert(item.key(), item.value() * 1.5);
  for (const auto& item : source.named_buffers()) dict.insert(item.key(), item.value());
  std::vector<char> bytes = torch::pickle_save(c10::IValue(dict));
  std::ofstream(dir / "resnet.pt", std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  at::manual_seed(5);
  ResNet loaded(0.0625);
  loaded.load(dir / "resnet.pt");
  for (const auto& item : loaded.named_parameters())
    EXPECT_TRUE(at::equal(item.value(), dict.at(item.key()))) << item.key();

  ASSERT_EQ(dict.erase("layer2.0.downsample.0.weight"), 1u);
  bytes = torch::pickle_save(c10::IValue(dict));
  std::ofstream(dir / "broken.pt", std::ios::binary | std::ios::trunc).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  ResNet broken(0.0625);
  try {
    broken.load(dir / "broken.pt");
    FAIL() << "expected a missing-tensor error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("'layer2.0.downsample.0.weight' is missing"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace varstyle
