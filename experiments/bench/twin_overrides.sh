# Sourced by experiments/bench/bench_train.sh and launch/gpu_check.sh: the config overrides that
# make varstyle's step the twin of experiments/bench/train_python.py, in one place so the two
# benchmarks cannot drift apart (configs/demo.yaml only fills what is not named here, and it
# sets settings, such as the encoder depth, that the twin does not have).
# The twin: frozen random VGG19 to relu4_1 shared by encoder and loss network, mirrored decoder,
# AdaIN target, content MSE on relu4_1 (weight 1), style moments on relu1_1..relu4_1 (weight 10),
# Adam at a constant lr, no checkpoints or grids inside the timed steps.
# Usage: twin_overrides WIDTH LR  -> fills the array twin with the overrides.
twin_overrides() {
  twin=(
    model.kind=adain model.width="$1" model.padding=reflect model.encoder_weights= model.init_seed=0
    model.content_encoder=vgg model.encoder_depth=relu4_1 model.adain_stages=1 model.decoder_noise=0
    model.decoder_coarse_noise=0 model.decoder_coarse_spectrum=flat 'model.style_encoder_moments=[]'
    'loss.style_w2_layers=[]' data.style_grey=0
    data.random_crop=true data.hflip=true
    loss.network=vgg19 loss.network_weights= loss.swag=false
    loss.content=1 loss.content_target=adain 'loss.content_layers=[relu4_1]'
    'loss.style_layers=[relu1_1,relu2_1,relu3_1,relu4_1]' 'loss.style_layer_weights=[]'
    loss.style_gram=0 loss.style_moments=10 loss.style_w2=0 loss.kl=0 loss.disentangle=0
    loss.mmd=0 loss.reconstruction=0 loss.tv=0 loss.range=0 loss.spectrum=0
    optim.lr="$2" optim.schedule=constant optim.warmup=0 optim.weight_decay=0 optim.grad_clip=0
    train.ckpt_every=1000000 train.grid_size=0 train.accumulate=1 train.timeline=false train.seed=1
  )
}
