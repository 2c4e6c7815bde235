/* The chart toolbar and its messages in Simplified Chinese. The plotly Python package ships plotly.js without
 * its locale files, so this small dictionary of our own is registered here and served with the site (no CDN).
 * Keys are plotly.js's own English strings; dashboards.js picks 'zh-CN' unless the page is in English. */
(function () {
  "use strict";
  if (typeof Plotly === "undefined") {
    return;
  }
  Plotly.register({
    moduleType: "locale",
    name: "zh-CN",
    dictionary: {
      "Autoscale": "自动缩放",
      "Box Select": "矩形选择",
      "Lasso Select": "套索选择",
      "Compare data on hover": "悬停时比较数据",
      "Show closest data on hover": "悬停时显示最近的数据",
      "Toggle show closest data on hover": "切换悬停显示最近的数据",
      "Toggle Spike Lines": "切换参考线",
      "Double-click to zoom back out": "双击还原",
      "Double-click on legend to isolate one trace": "双击图例只显示该项",
      "Download plot as a PNG": "下载图片（PNG）",
      "Download plot": "下载图片",
      "Download plot as JSON": "下载数据（JSON）",
      "Image download succeeded": "图片已下载",
      "JSON download succeeded": "数据已下载",
      "Preparing image - this may take a few seconds": "正在生成图片，请稍候",
      "Pan": "平移",
      "Zoom": "缩放",
      "Zoom in": "放大",
      "Zoom out": "缩小",
      "Reset": "重置",
      "Reset axes": "重置坐标轴",
      "Reset view": "重置视图",
      "Reset views": "重置视图",
      "Cancel": "取消",
      "Close": "关闭",
      "trace": "系列",
      "Trace": "系列",
    },
    format: {
      days: ["星期日", "星期一", "星期二", "星期三", "星期四", "星期五", "星期六"],
      shortDays: ["周日", "周一", "周二", "周三", "周四", "周五", "周六"],
      months: ["一月", "二月", "三月", "四月", "五月", "六月", "七月", "八月", "九月", "十月", "十一月", "十二月"],
      shortMonths: ["1月", "2月", "3月", "4月", "5月", "6月", "7月", "8月", "9月", "10月", "11月", "12月"],
      date: "%Y-%m-%d",
      decimal: ".",
      thousands: ",",
    },
  });
}());
