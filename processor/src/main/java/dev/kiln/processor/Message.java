package dev.kiln.processor;

/**
 * Every diagnostic the processor emits, with a stable id (shown in brackets, searchable in the
 * docs) and a template that says what to change.
 */
public enum Message {
  NETWORK_KIND("kiln.network.kind", "@Network goes on an interface or an abstract class; %s is %s"),
  NETWORK_GENERIC("kiln.network.generic", "@Network type %s must not declare type parameters"),
  NETWORK_NESTING("kiln.network.nesting", "@Network type %s must be top-level or a static, non-private nested type"),
  NETWORK_CONSTRUCTOR(
      "kiln.network.constructor",
      "@Network abstract class %s needs a non-private constructor without parameters for the generated subclass"),
  NETWORK_SEALED(
      "kiln.network.sealed",
      "@Network type %s is sealed, so the generated %s cannot %s it (a permits list cannot name a class "
          + "generated from it); remove sealed, or declare the network non-sealed"),
  NETWORK_CONSTRUCTOR_THROWS(
      "kiln.network.constructorThrows",
      "the constructor %s() declares the checked exception %s, which the generated model's constructors cannot "
          + "declare (new %s() would have to catch it); handle it inside the constructor"),
  MODEL_NAME_CLASH(
      "kiln.network.modelName",
      "the class Kiln generates for %s, %s, clashes with %s; rename one of them"),
  INPUT_MISSING(
      "kiln.network.input",
      "@Network input must give the shape of one sample, e.g. input = 784 or input = {28, 28, 1}"),
  INPUT_DIMENSION("kiln.network.input", "@Network input dimensions must be > 0; dimension %d is %d"),
  MAX_BATCH("kiln.network.maxBatch", "@Network maxBatch must be > 0, was %d"),
  LABEL_SMOOTHING("kiln.network.labelSmoothing", "@Network labelSmoothing must be in [0, 1), was %s"),
  LABEL_SMOOTHING_LOSS(
      "kiln.network.labelSmoothingLoss", "@Network labelSmoothing applies to the cross-entropy losses, not %s"),
  NO_LAYERS(
      "kiln.network.empty",
      "%s declares no layers; add abstract methods returning dev.kiln.runtime.Layer, each with a layer annotation "
          + "(%s)"),
  INPUT_BOTH(
      "kiln.network.inputBoth",
      "%s declares @Input layers and @Network(input = ...); declare the input one way: remove @Network's input, "
          + "or the @Input methods"),
  OPTIMIZER_MULTIPLE("kiln.optimizer.multiple", "%s declares both @%s and @%s; declare one optimizer"),
  OPTIMIZER_VALUE("kiln.optimizer.value", "@%s %s must be %s, was %s"),
  METHOD_UNANNOTATED(
      "kiln.layer.unannotated",
      "abstract method %s() declares no layer; annotate it with a layer annotation (@Dense, @Activation, "
          + "@Dropout, ...) or give it a body"),
  METHOD_TWO_LAYERS("kiln.layer.ambiguous", "%s() has both @%s and @%s; one method declares one layer"),
  METHOD_RETURN_TYPE("kiln.layer.returnType", "layer method %s() must return dev.kiln.runtime.Layer, not %s"),
  METHOD_NOT_ABSTRACT("kiln.layer.notAbstract", "layer method %s() must be abstract: the generated class implements it"),
  METHOD_SIGNATURE("kiln.layer.signature", "layer method %s() must not %s"),
  METHOD_PARAMETER_TYPE(
      "kiln.layer.parameter", "parameter %s of %s() must have type dev.kiln.runtime.Layer and name an earlier layer"),
  METHOD_PARAMETER_UNKNOWN("kiln.layer.input", "parameter %s of %s() names no earlier layer; earlier layers are %s"),
  GRAPH_LATER(
      "kiln.graph.order",
      "parameter %s of %s() names a layer declared after it; a layer reads earlier layers only: move %s() above %s()"),
  GRAPH_SELF("kiln.graph.self", "parameter %s of %s() names the layer itself; a layer reads earlier layers only"),
  GRAPH_UNUSED(
      "kiln.graph.unused",
      "%s() is not read by any layer on the way to the output %s(); connect it (name it as a parameter) or remove it"),
  LAYER_INPUT_COUNT("kiln.layer.inputCount", "@%s takes %s, but %s() takes %d"),
  ADD_SHAPES("kiln.add.shapes", "@Add adds inputs of one shape, but %s() gets %s; give them the same shape"),
  CONCATENATE_SHAPES(
      "kiln.concatenate.shapes",
      "@Concatenate joins inputs along the last axis, so every other axis must agree, but %s() gets %s"),
  SIZE_LIMIT(
      "kiln.size",
      "%s: %s would be %,d values, more than a Java array holds (2,147,483,639); make the network smaller"),
  FLOAT_RANGE(
      "kiln.float",
      "%s = %s does not survive the generated code's float arithmetic: %s %s, which is not %s "
          + "(floats hold magnitudes from 1.4E-45 to 3.4028235E38; smaller ones become 0, larger ones Infinity)"),
  LAYER_DUPLICATE("kiln.layer.duplicate", "layer name %s is already declared; layer names must be unique"),
  LAYER_RESERVED(
      "kiln.layer.reservedName",
      "layer name %s clashes with %s of the generated model class; rename the method"),
  DENSE_UNITS("kiln.dense.units", "@Dense units must be > 0, was %d"),
  DENSE_REGULARIZER("kiln.dense.regularizer", "@Dense %s must be >= 0 and finite, was %s"),
  CONV_FILTERS("kiln.conv.filters", "@Conv2D filters must be > 0, was %d"),
  WINDOW_VALUE("kiln.window.value", "@%s %s must be one value or two values {height, width}, each > 0, was %s"),
  CONV_REGULARIZER("kiln.conv.regularizer", "@Conv2D %s must be >= 0 and finite, was %s"),
  IMAGE_RANK(
      "kiln.image.inputRank",
      "@%s works on images [height, width, channels], but %s() gets %s; give it a rank-3 input, such as "
          + "@Network(input = {28, 28, 1}), or an earlier image layer"),
  CONV_KERNEL(
      "kiln.conv.kernel",
      "@Conv2D %s() gets %s, but its kernel spans %dx%d (kernelSize %s, dilation %s), more than the %dx%d "
          + "it sees with padding %s; use a smaller kernelSize or dilation, padding = SAME, or a larger input"),
  POOL_OUTPUT(
      "kiln.pool.output",
      "@%s %s() gets %s, and a %s window with strides %s and padding %s leaves an output of %dx%d; use a "
          + "smaller poolSize or strides, padding = SAME, or a larger input"),
  FLATTEN_RANK(
      "kiln.flatten.inputRank",
      "@Flatten needs an input of rank 2 or more, but %s() gets %s, which is already flat; remove the @Flatten"),
  RECURRENT_UNITS("kiln.recurrent.units", "@%s units must be > 0, was %d"),
  RECURRENT_ACTIVATION(
      "kiln.recurrent.activation", "@%s %s must be TANH, SIGMOID, RELU or LINEAR (what the recurrent kernels implement), was %s"),
  RECURRENT_INPUT_RANK(
      "kiln.recurrent.inputRank",
      "@%s reads a sequence [time, features], but %s() gets %s; declare the input as {steps, features}"),
  EMBEDDING_DIM("kiln.embedding.dim", "@Embedding %s must be > 0, was %d"),
  RESHAPE_DIMENSION("kiln.reshape.shape", "@Reshape needs a shape of dimensions > 0, was %s"),
  RESHAPE_SIZE(
      "kiln.reshape.size",
      "@Reshape %s holds %,d values, but %s() gets %s with %,d; give a shape with the same number of values"),
  DROPOUT_RATE("kiln.dropout.rate", "@Dropout rate must be in [0, 1), was %s"),
  SPATIAL_DROPOUT_RATE("kiln.spatialDropout.rate",
      "@SpatialDropout2D %s() drops channels with probability in [0, 1), but its rate was %s; give a rate such as "
          + "0.1 or 0.2 (1 would drop every channel)"),
  AUGMENT_FACTOR("kiln.augment.factor",
      "@%s %s() %s must be one value f, for the range [-|f|, |f|], or two values {lower, upper}, each a fraction "
          + "of the image's %s in [-1, 1], but was %s; give, for example, %s = 0.1"),
  AUGMENT_FILL_VALUE("kiln.augment.fillValue",
      "@%s %s() fillValue must be finite, was %s; give the value that fills outside the image, such as 0"),
  NOISE_STDDEV("kiln.noise.stddev", "@GaussianNoise stddev must be >= 0 and finite, was %s"),
  NORM_MOMENTUM("kiln.batchNorm.momentum", "@BatchNorm momentum must be in [0, 1), was %s"),
  NORM_EPSILON("kiln.norm.epsilon", "@%s epsilon must be > 0 and finite, was %s"),
  INIT_VALUE("kiln.init.value", "@Dense %s must be finite, was %s"),
  INIT_VALUE_UNUSED("kiln.init.valueUnused", "@Dense %s only applies with Initializer.CONSTANT, not %s"),
  SOFTMAX_POSITION(
      "kiln.activation.softmaxPosition",
      "SOFTMAX is supported on the output layer only, and %s() is not the last layer"),
  SOFTMAX_ONE_UNIT(
      "kiln.activation.softmaxOneUnit",
      "SOFTMAX over a single unit always outputs 1; use SIGMOID for one output, or more units"),
  ALPHA_RANGE("kiln.activation.alpha", "%s alpha must be %s, was %s"),
  ALPHA_UNUSED("kiln.activation.alphaUnused", "alpha has no effect on %s; remove it or use LEAKY_RELU or ELU"),
  TEMPERATURE("kiln.activation.temperature", "softmax temperature must be > 0 and finite, was %s"),
  TEMPERATURE_UNUSED("kiln.activation.temperatureUnused", "temperature applies to SOFTMAX only, not %s"),
  LOSS_ACTIVATION(
      "kiln.loss.activation",
      "%s expects probabilities from a %s output, but the output layer %s() ends with %s; use activation = %s"),
  LOSS_UNUSUAL("kiln.loss.unusual", "%s on a %s output is legal but unusual: %s"),
  LOSS_FROM_LOGITS(
      "kiln.loss.fromLogits",
      "@Network fromLogits = true makes %s apply %s to the logits itself, but the output layer %s() ends with %s;"
          + " use a LINEAR output (or drop fromLogits)"),
  LOSS_FROM_LOGITS_REGRESSION(
      "kiln.loss.fromLogitsLoss", "@Network fromLogits applies to the cross-entropy losses, not %s"),
  WEIGHTS_MISMATCH("kiln.weights", "@Weights file %s does not fit the network: %s"),
  WEIGHTS_PATH(
      "kiln.weights.path",
      "@Weights must name a resource file, such as \"model.safetensors\" next to the type or "
          + "\"/models/model.safetensors\" from the class path root; \"%s\" names no file"),
  WEIGHTS_NOT_FOUND(
      "kiln.weights.notFound",
      "@Weights file %s is not visible to the compiler (looked for %s in the class output, source path and "
          + "class path), so the check moves to run time: the generated constructor fails if it is missing or "
          + "does not fit"),
  WEIGHTS_FORMAT("kiln.weights.format", "@Weights file %s cannot be loaded: %s"),
  UNRESOLVED_TYPES("kiln.unresolved", "%s refers to types that never resolved: %s"),
  INTERNAL_ERROR(
      "kiln.internal",
      "Kiln's processor failed on %s; this is a bug in Kiln, please report it with this trace:%n%s");

  final String id;
  final String template;

  Message(String id, String template) {
    this.id = id;
    this.template = template;
  }

  public String format(Object... args) {
    return "[" + id + "] " + String.format(java.util.Locale.ROOT, template, args);
  }
}
