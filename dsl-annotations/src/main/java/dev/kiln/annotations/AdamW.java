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
  double learningRate() default 0.001;

  /** In [0, 1). */
  double beta1() default 0.9;

  /** In [0, 1). */
  double beta2() default 0.999;

  /** > 0. */
  double epsilon() default 1e-7;

  /** >= 0. */
  double weightDecay() default 0.01;
}
