package dev.kiln.processor;

import dev.kiln.annotations.ActivationFunction;
import dev.kiln.annotations.Initializer;
import dev.kiln.annotations.Loss;
import dev.kiln.processor.model.ActivationSpec;
import dev.kiln.processor.model.DenseSpec;
import dev.kiln.processor.model.DropoutSpec;
import dev.kiln.processor.model.GaussianNoiseSpec;
import dev.kiln.processor.model.NormalizationSpec;
import dev.kiln.processor.model.LayerSpec;
import dev.kiln.processor.model.Names;
import dev.kiln.processor.model.NetworkPlan;
import dev.kiln.processor.model.NetworkSpec;
import dev.kiln.processor.model.OptimizerSpec;
import dev.kiln.processor.model.Site;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Stage 2: every rule on a read declaration. Reports all errors of a type in one pass, each on the
 * annotation value to change; the type is generated only when none was found.
 */
final class NetworkChecker {
  private final Diagnostics diagnostics;
  /** Names a layer method cannot take: the methods of dev.kiln.runtime.Model and Object. */
  private final Set<String> reservedMethods;

  NetworkChecker(Diagnostics diagnostics, Set<String> reservedMethods) {
    this.diagnostics = diagnostics;
    this.reservedMethods = reservedMethods;
  }

  void check(NetworkSpec network) {
    checkNetwork(network);
    checkOptimizer(network.optimizer());
    checkLayerNames(network);
    for (int i = 0; i < network.layers().size(); i++) {
      LayerSpec layer = network.layers().get(i);
      boolean isOutput = i == network.layers().size() - 1;
      if (layer instanceof DenseSpec dense) {
        checkDense(dense);
      } else if (layer instanceof DropoutSpec dropout) {
        if (!(dropout.rate() >= 0 && dropout.rate() < 1)) {
          diagnostics.error(dropout.site(), "value", Message.DROPOUT_RATE, dropout.rate());
        }
      } else if (layer instanceof GaussianNoiseSpec noise) {
        if (!(noise.stddev() >= 0 && Double.isFinite(noise.stddev()))) {
          diagnostics.error(noise.site(), "stddev", Message.NOISE_STDDEV, noise.stddev());
        }
      } else if (layer instanceof NormalizationSpec norm) {
        if (norm.overBatch() && !(norm.momentum() >= 0 && norm.momentum() < 1)) {
          diagnostics.error(norm.site(), "momentum", Message.NORM_MOMENTUM, norm.momentum());
        }
        if (!(norm.epsilon() > 0 && Double.isFinite(norm.epsilon()))) {
          diagnostics.error(norm.site(), "epsilon", Message.NORM_EPSILON, norm.overBatch() ? "BatchNorm" : "LayerNorm",
              norm.epsilon());
        }
      }
      checkActivation(layer, NetworkPlan.activationOf(layer), isOutput);
    }
    if (!network.layers().isEmpty()) {
      checkLoss(network);
    }
  }

  private void checkNetwork(NetworkSpec network) {
    Site site = network.site();
    int[] input = network.inputShape();
    if (input.length == 0) {
      diagnostics.error(site, "input", Message.INPUT_MISSING);
    }
    for (int d = 0; d < input.length; d++) {
      if (input[d] <= 0) {
        diagnostics.error(site, "input", Message.INPUT_DIMENSION, d, input[d]);
      }
    }
    double smoothing = network.labelSmoothing();
    if (!(smoothing >= 0 && smoothing < 1)) {
      diagnostics.error(site, "labelSmoothing", Message.LABEL_SMOOTHING, smoothing);
    } else if (smoothing > 0
        && (network.loss() == Loss.MEAN_SQUARED_ERROR || network.loss() == Loss.MEAN_ABSOLUTE_ERROR)) {
      diagnostics.error(site, "labelSmoothing", Message.LABEL_SMOOTHING_LOSS, network.loss());
    }
    if (network.maxBatch() <= 0) {
      diagnostics.error(site, "maxBatch", Message.MAX_BATCH, network.maxBatch());
    }
    if (network.layers().isEmpty()) {
      diagnostics.error(site, null, Message.NO_LAYERS, network.type().getSimpleName());
    }
  }

  private void checkOptimizer(OptimizerSpec optimizer) {
    for (OptimizerSpec.Hyperparameter h : optimizer.hyperparameters()) {
      double v = h.value();
      String rule = null;
      switch (h.name()) {
        case "learningRate":
        case "weightDecay":
          rule = v >= 0 && Double.isFinite(v) ? null : ">= 0 and finite";
          break;
        case "momentum":
        case "rho":
        case "beta1":
        case "beta2":
          rule = v >= 0 && v < 1 ? null : "in [0, 1)";
          break;
        case "epsilon":
          rule = v > 0 && Double.isFinite(v) ? null : "> 0 and finite";
          break;
        default:
          throw new IllegalStateException("unknown hyperparameter " + h.name() + " of @" + optimizer.kind());
      }
      if (rule != null) {
        diagnostics.error(optimizer.site(), h.name(), Message.OPTIMIZER_VALUE, optimizer.kind(), h.name(), rule, v);
      }
    }
  }

  private void checkLayerNames(NetworkSpec network) {
    Map<String, LayerSpec> byName = new HashMap<>();
    Map<String, String> byConstant = new HashMap<>();
    List<String> earlier = new ArrayList<>();
    for (LayerSpec layer : network.layers()) {
      String name = layer.name();
      if (byName.containsKey(name)) {
        diagnostics.error(layer.site(), null, Message.LAYER_DUPLICATE, name);
      } else if (byConstant.containsKey(Names.constant(name))) {
        diagnostics.error(layer.site(), null, Message.LAYER_DUPLICATE,
            name + " (it reads as " + byConstant.get(Names.constant(name)) + " in generated constants)");
      }
      if (reservedMethods.contains(name)) {
        diagnostics.error(layer.site(), null, Message.LAYER_RESERVED, name, "a method");
      } else if (Names.NETWORK_MEMBERS.contains(Names.constant(name))) {
        diagnostics.error(layer.site(), null, Message.LAYER_RESERVED, name, "the constant " + Names.constant(name));
      }
      checkGeneratedNames(layer, byName);
      String previous = earlier.isEmpty() ? null : earlier.get(earlier.size() - 1);
      for (String input : layer.inputs()) {
        if (!byName.containsKey(input)) {
          diagnostics.error(layer.site(), null, Message.METHOD_PARAMETER_UNKNOWN, input, name,
              earlier.isEmpty() ? "none" : String.join(", ", earlier));
        } else if (!input.equals(previous) || layer.inputs().size() > 1) {
          diagnostics.error(layer.site(), null, Message.GRAPH_NOT_SEQUENTIAL, name, String.join(", ", layer.inputs()),
              previous == null ? "the network input" : previous);
        }
      }
      byName.putIfAbsent(name, layer);
      byConstant.putIfAbsent(Names.constant(name), name);
      earlier.add(name);
    }
  }

  /** A layer's name must not equal a member or constant generated for another layer. */
  private void checkGeneratedNames(LayerSpec layer, Map<String, LayerSpec> earlier) {
    String name = layer.name();
    for (String other : earlier.keySet()) {
      if (other.equals(name) || Names.constant(other).equals(Names.constant(name))) {
        continue; // reported as a duplicate
      }
      for (String[] pair : new String[][] {{name, other}, {other, name}}) {
        String generated = generatedClash(pair[0], pair[1]);
        if (generated != null) {
          diagnostics.error(layer.site(), null, Message.LAYER_NAME_CLASH, pair[0], generated, pair[1]);
          return;
        }
      }
    }
  }

  /** The member generated for layer {@code owner} that {@code name} collides with, or null. */
  private static String generatedClash(String name, String owner) {
    for (String suffix : Names.MEMBER_SUFFIXES) {
      if (name.equals(owner + suffix)) {
        return owner + suffix;
      }
      for (String own : Names.MEMBER_SUFFIXES) {
        if ((name + own).equals(owner + suffix)) {
          return owner + suffix;
        }
      }
    }
    for (String suffix : Names.CONSTANT_SUFFIXES) {
      for (String own : Names.CONSTANT_SUFFIXES) {
        if ((Names.constant(name) + own).equals(Names.constant(owner) + suffix)) {
          return Names.constant(owner) + suffix;
        }
      }
    }
    return null;
  }

  private void checkDense(DenseSpec dense) {
    Site site = dense.site();
    if (dense.units() <= 0) {
      diagnostics.error(site, "units", Message.DENSE_UNITS, dense.units());
    }
    checkInitValue(site, "kernelInitValue", dense.kernelInit(), dense.kernelInitValue());
    for (String name : new String[] {"kernelL1", "kernelL2"}) {
      double strength = name.equals("kernelL1") ? dense.kernelL1() : dense.kernelL2();
      if (!(strength >= 0 && Double.isFinite(strength))) {
        diagnostics.error(site, name, Message.DENSE_REGULARIZER, name, strength);
      }
    }
    checkInitValue(site, "biasInitValue", dense.biasInit(), dense.biasInitValue());
  }

  private void checkInitValue(Site site, String name, Initializer init, double value) {
    if (!Double.isFinite(value)) {
      diagnostics.error(site, name, Message.INIT_VALUE, name, value);
    } else if (init != Initializer.CONSTANT && site.has(name)) {
      diagnostics.warning(site, name, Message.INIT_VALUE_UNUSED, name, init);
    }
  }

  private void checkActivation(LayerSpec layer, ActivationSpec activation, boolean isOutput) {
    Site site = layer.site();
    ActivationFunction f = activation.function();
    if (site.has("alpha")) {
      double alpha = activation.alpha();
      if (f == ActivationFunction.LEAKY_RELU && !(alpha >= 0 && alpha < 1)) {
        diagnostics.error(site, "alpha", Message.ALPHA_RANGE, f, "in [0, 1)", alpha);
      } else if (f == ActivationFunction.ELU && !(alpha > 0 && Double.isFinite(alpha))) {
        diagnostics.error(site, "alpha", Message.ALPHA_RANGE, f, "> 0 and finite", alpha);
      } else if (!activation.usesAlpha()) {
        diagnostics.error(site, "alpha", Message.ALPHA_UNUSED, f);
      }
    }
    if (site.has("temperature")) {
      double t = activation.temperature();
      if (f != ActivationFunction.SOFTMAX) {
        diagnostics.error(site, "temperature", Message.TEMPERATURE_UNUSED, f);
      } else if (!(t > 0 && Double.isFinite(t))) {
        diagnostics.error(site, "temperature", Message.TEMPERATURE, t);
      }
    }
    if (f == ActivationFunction.SOFTMAX) {
      if (!isOutput) {
        diagnostics.error(site, layer instanceof DenseSpec ? "activation" : "value", Message.SOFTMAX_POSITION, layer.name());
      } else if (layer instanceof DenseSpec dense && dense.units() == 1) {
        diagnostics.error(site, "activation", Message.SOFTMAX_ONE_UNIT);
      }
    }
  }

  private void checkLoss(NetworkSpec network) {
    LayerSpec output = network.layers().get(network.layers().size() - 1);
    ActivationFunction f = NetworkPlan.activationOf(output).function();
    Loss loss = network.loss();
    Site site = network.site();
    String lossName = loss.name();
    switch (loss) {
      case CATEGORICAL_CROSSENTROPY:
      case SPARSE_CATEGORICAL_CROSSENTROPY:
        if (f != ActivationFunction.SOFTMAX) {
          diagnostics.error(site, "loss", Message.LOSS_ACTIVATION, lossName, "SOFTMAX", output.name(), f, "SOFTMAX");
        }
        break;
      case BINARY_CROSSENTROPY:
        if (f == ActivationFunction.SOFTMAX) {
          diagnostics.warning(site, "loss", Message.LOSS_UNUSUAL, lossName, f,
              "softmax outputs compete; for independent labels use SIGMOID, for one class use CATEGORICAL_CROSSENTROPY");
        } else if (f != ActivationFunction.SIGMOID) {
          diagnostics.error(site, "loss", Message.LOSS_ACTIVATION, lossName, "SIGMOID", output.name(), f, "SIGMOID");
        }
        break;
      case MEAN_SQUARED_ERROR:
      case MEAN_ABSOLUTE_ERROR:
        if (f == ActivationFunction.SOFTMAX || f == ActivationFunction.SIGMOID) {
          diagnostics.warning(site, "loss", Message.LOSS_UNUSUAL, lossName, f,
              "cross-entropy gives stronger gradients for probabilities ("
                  + (f == ActivationFunction.SIGMOID ? "BINARY" : "CATEGORICAL") + "_CROSSENTROPY)");
        }
        break;
      default:
        throw new IllegalStateException("unknown loss " + loss.name().toLowerCase(Locale.ROOT));
    }
  }
}
