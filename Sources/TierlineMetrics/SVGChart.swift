/// Small inline SVG charts for the HTML report: no scripts, no external resources.
enum SVGChart {
  /// The colours of successive series.
  static let palette = [
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
    "#7f7f7f", "#bcbd22", "#17becf",
  ]

  /// Draws a line chart of `series` (label, y values at x = 0, 1, 2, …) with y from 0 to
  /// `maximumY`; y values are fractions of 1 shown as percentages.
  static func lines(
    title: String, series: [(label: String, values: [Double])], maximumY: Double,
    xLabel: String
  ) -> String {
    let width = 640.0
    let height = 300.0
    let left = 48.0
    let right = 150.0
    let top = 16.0
    let bottom = 36.0
    let plotWidth = width - left - right
    let plotHeight = height - top - bottom
    let count = max(2, series.map(\.values.count).max() ?? 2)
    let yMax = maximumY > 0 ? maximumY : 1
    func x(_ index: Int) -> Double { left + plotWidth * Double(index) / Double(count - 1) }
    func y(_ value: Double) -> Double { top + plotHeight * (1 - value / yMax) }

    var svg = header(title: title, width: width, height: height)
    for step in 0...4 {
      let value = yMax * Double(step) / 4
      svg += line(left, y(value), left + plotWidth, y(value), stroke: "#ddd")
      svg += text(left - 6, y(value) + 4, percent(value), anchor: "end")
    }
    for index in stride(from: 0, to: count, by: max(1, (count - 1) / 8)) {
      svg += text(x(index), top + plotHeight + 16, "\(index)", anchor: "middle")
    }
    svg += text(left + plotWidth / 2, height - 4, xLabel, anchor: "middle")
    for (number, entry) in series.enumerated() {
      let colour = palette[number % palette.count]
      let points = entry.values.enumerated().map { index, value in
        "\(format(x(index))),\(format(y(value)))"
      }
      svg +=
        "<polyline fill=\"none\" stroke=\"\(colour)\" stroke-width=\"2\" points=\""
        + points.joined(separator: " ") + "\"/>"
      let legendY = top + 14 * Double(number)
      if legendY < top + plotHeight {
        svg += line(width - right + 10, legendY, width - right + 28, legendY, stroke: colour)
        svg += text(width - right + 32, legendY + 4, entry.label, anchor: "start")
      }
    }
    return svg + "</svg>"
  }

  /// Draws a vertical bar chart of `bars` (label, value) with values from 0 to their maximum.
  static func columns(title: String, bars: [(label: String, value: Int)], xLabel: String)
    -> String
  {
    let width = 640.0
    let height = 260.0
    let left = 48.0
    let top = 16.0
    let bottom = 40.0
    let plotWidth = width - left - 16
    let plotHeight = height - top - bottom
    // Round the axis up to a multiple of 4 so that the four grid steps are whole numbers.
    let highest = max(1, bars.map(\.value).max() ?? 1)
    let maximum = Double((highest + 3) / 4 * 4)
    let slot = plotWidth / Double(max(1, bars.count))

    var svg = header(title: title, width: width, height: height)
    for step in 0...4 {
      let value = maximum * Double(step) / 4
      let y = top + plotHeight * (1 - value / maximum)
      svg += line(left, y, left + plotWidth, y, stroke: "#ddd")
      svg += text(left - 6, y + 4, "\(Int(value.rounded()))", anchor: "end")
    }
    for (index, bar) in bars.enumerated() {
      let barHeight = plotHeight * Double(bar.value) / maximum
      let x = left + slot * Double(index)
      svg +=
        "<rect x=\"\(format(x + 2))\" y=\"\(format(top + plotHeight - barHeight))\" "
        + "width=\"\(format(max(1, slot - 4)))\" height=\"\(format(barHeight))\" "
        + "fill=\"\(palette[0])\"><title>\(escapeHTML(bar.label)): \(bar.value)</title></rect>"
      svg += text(x + slot / 2, top + plotHeight + 14, bar.label, anchor: "middle", size: 10)
    }
    svg += text(left + plotWidth / 2, height - 4, xLabel, anchor: "middle")
    return svg + "</svg>"
  }

  /// Draws a horizontal bar chart of `bars` (label, value, value text).
  static func rows(title: String, bars: [(label: String, value: Double, text: String)])
    -> String
  {
    let width = 640.0
    let rowHeight = 28.0
    let left = 130.0
    let right = 120.0
    let height = rowHeight * Double(max(1, bars.count)) + 16
    let maximum = max(1, bars.map(\.value).max() ?? 1)

    var svg = header(title: title, width: width, height: height)
    for (index, bar) in bars.enumerated() {
      let y = 8 + rowHeight * Double(index)
      let length = (width - left - right) * bar.value / maximum
      svg += text(left - 8, y + 16, bar.label, anchor: "end")
      svg +=
        "<rect x=\"\(format(left))\" y=\"\(format(y + 4))\" width=\"\(format(length))\" "
        + "height=\"\(format(rowHeight - 8))\" fill=\"\(palette[index % palette.count])\"/>"
      svg += text(left + length + 6, y + 16, bar.text, anchor: "start")
    }
    return svg + "</svg>"
  }

  static func header(title: String, width: Double, height: Double) -> String {
    "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(format(width))\" "
      + "height=\"\(format(height))\" viewBox=\"0 0 \(format(width)) \(format(height))\" "
      + "role=\"img\" aria-label=\"\(escapeHTML(title))\"><title>\(escapeHTML(title))</title>"
  }

  static func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, stroke: String)
    -> String
  {
    "<line x1=\"\(format(x1))\" y1=\"\(format(y1))\" x2=\"\(format(x2))\" y2=\"\(format(y2))\" "
      + "stroke=\"\(stroke)\" stroke-width=\"1\"/>"
  }

  static func text(
    _ x: Double, _ y: Double, _ content: String, anchor: String, size: Int = 11
  ) -> String {
    "<text x=\"\(format(x))\" y=\"\(format(y))\" text-anchor=\"\(anchor)\" "
      + "font-size=\"\(size)\">\(escapeHTML(content))</text>"
  }

  /// Formats a chart coordinate with one decimal. It serves geometry only, never a figure.
  static func format(_ value: Double) -> String {
    let tenths = (value * 10).rounded()
    let whole = Int(tenths) / 10
    let fraction = abs(Int(tenths) % 10)
    return tenths < 0 && whole == 0 ? "-0.\(fraction)" : "\(whole).\(fraction)"
  }

  static func percent(_ value: Double) -> String {
    "\(Int((value * 100).rounded()))%"
  }
}

/// Escapes text for HTML element content and attribute values.
func escapeHTML(_ text: String) -> String {
  var escaped = ""
  escaped.reserveCapacity(text.count)
  for character in text {
    switch character {
    case "&": escaped += "&amp;"
    case "<": escaped += "&lt;"
    case ">": escaped += "&gt;"
    case "\"": escaped += "&quot;"
    case "'": escaped += "&#39;"
    default: escaped.append(character)
    }
  }
  return escaped
}
