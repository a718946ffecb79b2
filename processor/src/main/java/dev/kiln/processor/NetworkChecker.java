package dev.kiln.processor;

import dev.kiln.annotations.ActivationFunction;
import dev.kiln.annotations.Loss;
import dev.kiln.processor.layers.LayerKinds;
import dev.kiln.processor.model.FloatRule;
import dev.kiln.processor.model.LayerSpec;
import dev.kiln.processor.model.NetworkSpec;
import dev.kiln.processor.model.OptimizerSpec;
import dev.kiln.processor.model.Site;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Stage 2: every rule on a read declaration. Reports all errors of a type in one pass, each on the
 * annotation value to change; the type is generated only when none was found. Each layer kind's
 * own rules live in its spec ({@link LayerSpec#check}); this class holds the network's.
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
    for (LayerSpec layer : network.layers()) {
      layer.check(diagnostics);
    }
    Graph graph = Graph.of(network, diagnostics);
    checkEdges(graph);
    if (!network.layers().isEmpty()) {
      checkActivations(network);
      checkLoss(network);
    }
  }

  private void checkNetwork(NetworkSpec network) {
    Site site = network.site();
    int[] input = network.inputShape();
    if (network.hasImplicitInput()) {
      LayerKinds.implicitInput(site, NetworkSpec.IMPLICIT_INPUT, input).check(diagnostics);
    } else if (input.length > 0) {
      diagnostics.error(site, "input", Message.INPUT_BOTH, network.type().getSimpleName());
    }
    double smoothing = network.labelSmoothing();
    if (!FloatRule.UNIT.check(diagnostics, site, "labelSmoothing", "@Network labelSmoothing", smoothing,
        Message.LABEL_SMOOTHING, smoothing)) {
      // reported
    } else if (smoothing > 0
        && (network.loss() == Loss.MEAN_SQUARED_ERROR || network.loss() == Loss.MEAN_ABSOLUTE_ERROR)) {
      diagnostics.error(site, "labelSmoothing", Message.LABEL_SMOOTHING_LOSS, network.loss());
    }
    if (network.maxBatch() <= 0) {
      diagnostics.error(site, "maxBatch", Message.MAX_BATCH, network.maxBatch());
    }
    if (network.layers().stream().allMatch(LayerSpec::isInput)) {
      diagnostics.error(site, null, Message.NO_LAYERS, network.type().getSimpleName(), LayerKinds.annotationList());
    }
  }

  private void checkOptimizer(OptimizerSpec optimizer) {
    for (OptimizerSpec.Hyperparameter h : optimizer.hyperparameters()) {
      double v = h.value();
      FloatRule rule;
      switch (h.name()) {
        case "learningRate":
        case "weightDecay":
          rule = FloatRule.NON_NEGATIVE;
          break;
        case "momentum":
        case "rho":
        case "beta1":
        case "beta2":
          rule = FloatRule.UNIT;
          break;
        case "epsilon":
          rule = FloatRule.POSITIVE;
          break;
        default:
          throw new IllegalStateException("unknown hyperparameter " + h.name() + " of @" + optimizer.kind());
      }
      rule.check(diagnostics, optimizer.site(), h.name(), "@" + optimizer.kind() + " " + h.name(), v,
          Message.OPTIMIZER_VALUE, optimizer.kind(), h.name(), rule.text(), v);
    }
  }

  /**
   * Layer names must be unique and must not override the methods of Model. Generated member names
   * are allocated around the layer names, so no other name clashes.
   */
  private void checkLayerNames(NetworkSpec network) {
    Map<String, LayerSpec> byName = new HashMap<>();
    if (network.hasImplicitInput()) {
      byName.put(NetworkSpec.IMPLICIT_INPUT, null);
    }
    for (LayerSpec layer : network.layers()) {
      String name = layer.name();
      if (byName.containsKey(name)) {
        diagnostics.error(layer.site(), null, Message.LAYER_DUPLICATE,
            byName.get(name) == null ? name + " (the network input is named input)" : name);
      }
      if (reservedMethods.contains(name)) {
        diagnostics.error(layer.site(), null, Message.LAYER_RESERVED, name, "a method");
      }
      byName.putIfAbsent(name, layer);
    }
  }

  private void checkEdges(Graph graph) {
    // A name that did not resolve leaves its layer's inputs unknown: counting readers would only
    // report follow-on errors.
    boolean resolved = graph.edges.stream().allMatch(e -> e != null);
    for (int j = 0; j < graph.nodes.size(); j++) {
      LayerSpec node = graph.nodes.get(j);
      List<Integer> edges = graph.edges.get(j);
      if (edges == null) {
        continue; // an unresolved name, reported
      }
      if (edges.size() < node.minInputs() || edges.size() > node.maxInputs()) {
        diagnostics.error(node.site(), null, Message.LAYER_INPUT_COUNT, annotationOf(node), expected(node),
            node.name(), edges.size());
      }
      if (resolved && j != graph.output() && !graph.isRead(j)) {
        diagnostics.error(node.site(), null, Message.GRAPH_UNUSED, node.name(), graph.nodes.get(graph.output()).name());
      }
    }
  }

  private static String annotationOf(LayerSpec node) {
    return node.site().annotation() == null ? "Network"
        : node.site().annotation().getAnnotationType().asElement().getSimpleName().toString();
  }

  private static String expected(LayerSpec node) {
    if (node.maxInputs() == 0) {
      return "no inputs";
    }
    if (node.minInputs() == node.maxInputs()) {
      return node.minInputs() == 1 ? "one input" : node.minInputs() + " inputs";
    }
    return node.maxInputs() == Integer.MAX_VALUE ? node.minInputs() + " or more inputs"
        : node.minInputs() + " to " + node.maxInputs() + " inputs";
  }

  /** Softmax normalizes the output only: it is fused with the loss or differentiated there. */
  private void checkActivations(NetworkSpec network) {
    List<LayerSpec> layers = network.layers();
    for (int i = 0; i < layers.size(); i++) {
      LayerSpec layer = layers.get(i);
      if (layer.activation().function() != ActivationFunction.SOFTMAX) {
        continue;
      }
      String attribute = layer.site().has("activation") ? "activation" : "value";
      if (i != layers.size() - 1) {
        diagnostics.error(layer.site(), attribute, Message.SOFTMAX_POSITION, layer.name());
      }
    }
  }

  private void checkLoss(NetworkSpec network) {
    LayerSpec output = network.layers().get(network.layers().size() - 1);
    ActivationFunction f = output.activation().function();
    Loss loss = network.loss();
    Site site = network.site();
    String lossName = loss.name();
    if (network.fromLogits()) {
      if (loss == Loss.MEAN_SQUARED_ERROR || loss == Loss.MEAN_ABSOLUTE_ERROR) {
        diagnostics.error(site, "fromLogits", Message.LOSS_FROM_LOGITS_REGRESSION, lossName);
      } else if (f != ActivationFunction.LINEAR) {
        diagnostics.error(site, "fromLogits", Message.LOSS_FROM_LOGITS, lossName,
            loss == Loss.BINARY_CROSSENTROPY ? "sigmoid" : "softmax", output.name(), f);
      }
      return;
    }
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
