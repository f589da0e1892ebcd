// Vite's `?inline` import of a binary file: its contents as a base64 data URL (the PDF export's fonts).
declare module '*.ttf?inline' {
  const dataUrl: string;
  export default dataUrl;
}
