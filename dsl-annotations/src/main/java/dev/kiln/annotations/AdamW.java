package dev.kiln.annotations;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/** Adam with decoupled weight decay (Loshchilov and Hutter): w -= learningRate * weightDecay * w, then Adam. */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.TYPE)
public @interface AdamW {
  /** {@return the learning rate, >= 0} */
  double learningRate() default 0.001;

  /** {@return the decay of the first-moment average, in [0, 1)} */
  double beta1() default 0.9;

  /** {@return the decay of the second-moment average, in [0, 1)} */
  double beta2() default 0.999;

  /** {@return the epsilon added to the denominator, > 0} */
  double epsilon() default 1e-7;

  /** {@return the decoupled weight decay, >= 0} */
  double weightDecay() default 0.01;
}
